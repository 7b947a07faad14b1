# Read after the KVM selftests' own Makefile
# (make -C tools/testing/selftests/kvm -f Makefile -f emulator/test.mk):
# builds the emulator's test programs (emulator/sea_*.c) exactly like KVM
# selftests, with the same flags and the same library, without adding them
# to the kernel tree.
# -fno-strict-aliasing: emul.h reaches a u64 field through the reserved
# words of a kernel whose UAPI headers lack it.
$(OUTPUT)/sea_%: $(SEA_EMUL_DIR)/sea_%.c $(SEA_EMUL_DIR)/emul.h $(LIBKVM_OBJS)
	$(CC) $(CFLAGS) -fno-strict-aliasing $(CPPFLAGS) $(LDFLAGS) $(TARGET_ARCH) $< $(LIBKVM_OBJS) $(LDLIBS) -o $@
