# Fake guest for the runner's end-to-end tests: a 32-bit multiboot kernel that QEMU loads
# with -kernel. It speaks the guest protocol on COM1 and then resets the machine, which
# makes QEMU exit under -no-reboot (like a real guest doing "reboot -f").
#
#   t = 0    noise, "@@PR boot", "@@PR ready"
#   t ~ 0.7  a kernel-style line with "@@PR value name=answer v=42" after other text
#            "@@PR result pass"
#   t ~ 1.4  "@@PR done", then reset (triple fault)
# Delays use rdtsc, which follows host time under TCG.

        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, 0
        .text
        .code32
        .align 4
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        .globl _start
_start:
        mov $stack_top, %esp
        mov $msg_boot, %esi
        call puts
        call delay
        mov $msg_result, %esi
        call puts
        call delay
        mov $msg_done, %esi
        call puts
        lidt null_idt           # no IDT: the breakpoint triple-faults -> reset
        int3
1:      hlt
        jmp 1b

# Writes the NUL-terminated string at %esi to COM1, polling the line status register.
puts:   lodsb
        test %al, %al
        jz 3f
        mov %al, %bl
        mov $0x3fd, %dx
2:      inb %dx, %al
        test $0x20, %al
        jz 2b
        mov $0x3f8, %dx
        mov %bl, %al
        outb %al, %dx
        jmp puts
3:      ret

# Busy-waits 2^31 TSC cycles (about 0.7 s on a 3 GHz host).
delay:  rdtsc
        add $0x80000000, %eax
        adc $0, %edx
        mov %eax, %edi
        mov %edx, %ecx
4:      rdtsc
        cmp %ecx, %edx
        jb 4b
        ja 5f
        cmp %edi, %eax
        jb 4b
5:      ret

        .data
null_idt:
        .word 0
        .long 0
msg_boot:
        .ascii "fake guest: hello\r\n"
        .ascii "@@PR boot\r\n"
        .asciz "@@PR ready\r\n"
msg_result:
        .ascii "[    0.700000] kernel noise @@PR value name=answer v=42\r\n"
        .asciz "@@PR result pass\r\n"
msg_done:
        .asciz "@@PR done\r\n"

        .bss
        .align 16
        .skip 4096
stack_top:
