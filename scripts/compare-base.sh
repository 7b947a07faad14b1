#!/usr/bin/env bash
# make compare: the patched kernel against the base (scripts/altkernel.sh base),
# same configuration, same QEMU, same initramfs.
#  - sea_faults: cost of a first-touch stage-2 fault; the kernels boot in
#    turn, COMPARE_RUNS times each (default 3); prints the median ratio
#    patched/base and its spread.
#  - sea_optout: what the guest of a VMM without KVM_CAP_ARM_SEA_TO_USER
#    sees on an emulated SEA: its "seen:" lines must be identical on both.
#  - kvm_handle_guest_abort() as compiled in both: the instructions the
#    series changed, from the objects (out/logs/compare-disasm.diff).
. "$(dirname "$0")/lib.sh"
need_cmd "${CROSS}objdump"
runs=${COMPARE_RUNS:-3}
base_image=$OUT/build-base/arch/arm64/boot/Image
[ -f "$base_image" ] || die "no base kernel: run 'make compare' (or scripts/altkernel.sh base)"
stage_begin "compare: base vs patched, $runs boot(s) each"

ratios=() bad=0
for i in $(seq 1 "$runs"); do
	for k in patched base; do
		dir=$LOGS/compare-$k-$i log=$dir/console.log
		if [ $k = base ]; then
			BOOT_IMAGE=$base_image BOOT_DIR=$dir \
				BOOT_APPEND="SEA_EMUL_KO=/kselftest/kvm/base/sea_emul.ko" \
				bash "$REPO_ROOT/scripts/boot.sh" sea_faults,sea_optout >"$dir.out" 2>&1 || bad=1
		else
			BOOT_DIR=$dir bash "$REPO_ROOT/scripts/boot.sh" sea_faults,sea_optout \
				>"$dir.out" 2>&1 || bad=1
		fi
		[ "$bad" -eq 0 ] || { cat "$dir.out" >&2; die "the $k kernel's run failed (above; console: $log)"; }
		f=$(sed -n 's/^# # faults: \([0-9]*\) ns.*/\1/p' "$log")
		[ -n "$f" ] || die "no sea_faults figure in $log"
		printf -v "ns_$k" '%s' "$f"
		msg "run $i, $k: $f ns per fault"
	done
	# shellcheck disable=SC2154 # set by printf -v above
	ratios+=("$(awk -v p="$ns_patched" -v b="$ns_base" 'BEGIN { printf "%.3f", p / b }')")
done
mapfile -t sorted < <(printf '%s\n' "${ratios[@]}" | sort -n)
msg "first-touch fault, patched/base: median ${sorted[$((runs / 2))]} (runs: ${ratios[*]}; min ${sorted[0]}, max ${sorted[-1]})"

seen() { grep '^# # seen: ' "$1" | sed 's/^# # //'; }
if ! diff <(seen "$LOGS/compare-base-1/console.log") <(seen "$LOGS/compare-patched-1/console.log") >"$LOGS/compare-optout.diff"; then
	cat "$LOGS/compare-optout.diff" >&2
	die "a guest without the cap sees something else on the patched kernel (diff above: < base, > patched)"
fi
msg "cap off: the guest sees exactly what it sees on the base ($(seen "$LOGS/compare-base-1/console.log" | wc -l) cases):"
seen "$LOGS/compare-base-1/console.log" | sed 's/^/      /'

disasm() {
	"${CROSS}objdump" -d --no-show-raw-insn --disassemble=kvm_handle_guest_abort "$1" |
		sed -n '/<kvm_handle_guest_abort>:/,$p' | sed -E '1d; s/^ *[0-9a-f]+:\t//; s/[0-9a-f]+ <([^>+]+)(\+0x[0-9a-f]+)?>/<\1>/g' |
		grep -v '^$'
}
disasm "$OUT/build-base/arch/arm64/kvm/mmu.o" >"$LOGS/compare-disasm-base.txt"
disasm "$KBUILD/arch/arm64/kvm/mmu.o" >"$LOGS/compare-disasm-patched.txt"
diff -u "$LOGS/compare-disasm-base.txt" "$LOGS/compare-disasm-patched.txt" >"$LOGS/compare-disasm.diff" || true
msg "kvm_handle_guest_abort(): $(wc -l <"$LOGS/compare-disasm-base.txt") instructions in the base, $(wc -l <"$LOGS/compare-disasm-patched.txt") patched; diff lines: $(grep -c '^-[^-]' "$LOGS/compare-disasm.diff") -, $(grep -c '^+[^+]' "$LOGS/compare-disasm.diff") + (mostly register allocation; out/logs/compare-disasm.diff)"
# the same by instruction and callee, which register renaming does not move
opcodes() { awk '{ k = $1 == "bl" ? "bl" $2 : $1; n[k]++ } END { for (k in n) print k, n[k] }' "$1" | sort; }
msg "  by instruction, patched minus base: $(join -a 1 -a 2 -e 0 -o 0,1.2,2.2 \
	<(opcodes "$LOGS/compare-disasm-base.txt") <(opcodes "$LOGS/compare-disasm-patched.txt") |
	awk '$3 != $2 { printf "%s%+d %s", sep, $3 - $2, $1; sep = ", " }')"
stage_end
