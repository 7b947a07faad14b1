// SPDX-License-Identifier: GPL-2.0-only
/*
 * sea_exec: a module for the guest kernel of the kvmtool test (test-only,
 * not part of any series).  The misc device sea_exec maps one physical
 * page, the module parameter "pa", into the task that mmaps it, as normal
 * memory that the task may execute (procfs would not do: it is noexec).
 * The guest boots with mem= below that page: nothing has ever touched it,
 * so it has no stage-2 mapping, and the task's first instruction fetch
 * from it is a stage-2 fault, which the host's SEA emulator turns into a
 * synchronous external abort on an instruction fetch.  /dev/mem cannot do
 * this: it maps memory the kernel does not own as Device memory, which is
 * never executable.
 */
#include <linux/fs.h>
#include <linux/ioport.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>

static unsigned long long pa;
module_param(pa, ullong, 0444);

static int sea_exec_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_end - vma->vm_start != PAGE_SIZE || vma->vm_pgoff)
		return -EINVAL;

	return remap_pfn_range(vma, vma->vm_start, PHYS_PFN(pa), PAGE_SIZE,
			       vma->vm_page_prot);
}

static const struct file_operations sea_exec_fops = {
	.owner = THIS_MODULE,
	.mmap = sea_exec_mmap,
};

static struct miscdevice sea_exec_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "sea_exec",
	.fops = &sea_exec_fops,
	.mode = 0400,
};

static int __init sea_exec_init(void)
{
	if (!pa || offset_in_page(pa)) {
		pr_err("sea_exec: pa=0x%llx is not a page address\n", pa);
		return -EINVAL;
	}
	/* The kernel's own memory has been touched, and may be again */
	if (page_is_ram(PHYS_PFN(pa))) {
		pr_err("sea_exec: 0x%llx is the kernel's memory: boot with mem= below it\n", pa);
		return -EINVAL;
	}
	return misc_register(&sea_exec_dev);
}

static void __exit sea_exec_exit(void)
{
	misc_deregister(&sea_exec_dev);
}

module_init(sea_exec_init);
module_exit(sea_exec_exit);
MODULE_DESCRIPTION("Test-only: map a page the guest kernel does not own, executable");
MODULE_LICENSE("GPL");
