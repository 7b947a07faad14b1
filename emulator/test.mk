# Read after the KVM selftests' own Makefile
# (make -C tools/testing/selftests/kvm -f Makefile -f emulator/test.mk):
# builds the emulator's test program exactly like a KVM selftest, with the
# same flags and the same library, without adding it to the kernel tree.
$(OUTPUT)/sea_emul_test: $(SEA_EMUL_DIR)/sea_emul_test.c $(LIBKVM_OBJS)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) $(TARGET_ARCH) $< $(LIBKVM_OBJS) $(LDLIBS) -o $@
