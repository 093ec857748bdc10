//go:build !purego

#include "textflag.h"

// Both kernels return the one's-complement sum of b read as little-endian
// 16-bit words, folded to 16 bits; checksum.go swaps it to network order.
// AX is a 64-bit end-around-carry accumulator: 2^64 is 1 modulo 0xffff, so
// adding 8-byte words with ADC and feeding the last carry back keeps the
// 16-bit sum. SI walks b, CX counts the bytes left.

// SCALAR_TAIL adds the last CX < 32 bytes at SI to AX (an odd last byte is
// the low byte of a little-endian word), folds AX to 16 bits and returns it.
// It is expanded once per function, so its labels stay unique.
#define SCALAR_TAIL \
	CMPQ    CX, $16        \
	JB      tail8          \
	ADDQ    0(SI), AX      \
	ADCQ    8(SI), AX      \
	ADCQ    $0, AX         \
	ADDQ    $16, SI        \
	SUBQ    $16, CX        \
tail8:                     \
	CMPQ    CX, $8         \
	JB      tail4          \
	ADDQ    0(SI), AX      \
	ADCQ    $0, AX         \
	ADDQ    $8, SI         \
	SUBQ    $8, CX         \
tail4:                     \
	CMPQ    CX, $4         \
	JB      tail2          \
	MOVL    0(SI), DX      \
	ADDQ    DX, AX         \
	ADCQ    $0, AX         \
	ADDQ    $4, SI         \
	SUBQ    $4, CX         \
tail2:                     \
	CMPQ    CX, $2         \
	JB      tail1          \
	MOVWQZX 0(SI), DX      \
	ADDQ    DX, AX         \
	ADCQ    $0, AX         \
	ADDQ    $2, SI         \
	SUBQ    $2, CX         \
tail1:                     \
	TESTQ   CX, CX         \
	JZ      fold           \
	MOVBQZX 0(SI), DX      \
	ADDQ    DX, AX         \
	ADCQ    $0, AX         \
fold:                      \
	MOVQ    AX, DX         \
	SHRQ    $32, DX        \
	ADDL    DX, AX         \
	ADCL    $0, AX         \
	MOVL    AX, DX         \
	SHRL    $16, DX        \
	ADDW    DX, AX         \
	ADCW    $0, AX         \
	MOVW    AX, ret+24(FP) \
	RET

// func sumADC(b []byte) uint16
//
// 64 bytes per iteration in one ADC chain (8 bytes a cycle at best).
TEXT ·sumADC(SB), NOSPLIT, $0-26
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	XORQ AX, AX
	CMPQ CX, $64
	JB   loop32

loop64:
	ADDQ 0(SI), AX
	ADCQ 8(SI), AX
	ADCQ 16(SI), AX
	ADCQ 24(SI), AX
	ADCQ 32(SI), AX
	ADCQ 40(SI), AX
	ADCQ 48(SI), AX
	ADCQ 56(SI), AX
	ADCQ $0, AX
	ADDQ $64, SI
	SUBQ $64, CX
	CMPQ CX, $64
	JAE  loop64

loop32:
	CMPQ CX, $32
	JB   tail
	ADDQ 0(SI), AX
	ADCQ 8(SI), AX
	ADCQ 16(SI), AX
	ADCQ 24(SI), AX
	ADCQ $0, AX
	ADDQ $32, SI
	SUBQ $32, CX

tail:
	SCALAR_TAIL

// REDUCE_BLOCK folds the accumulators of a block into Y12.
// Y0-Y3 (A) hold the dwords of the data added with wrap-around, Y4-Y7 (H)
// their high 16-bit halves, both at most 4*8192+3 dwords per lane. With
// L = sum(A) - sum(H)<<16 (mod 2^32), the exact sum of the low halves, and
// sum(H) both at most 32771*0xffff < 2^32, the block's sum is
// L + 2^16*sum(H), which is L + sum(H) modulo 0xffff.
//
// In order: Y0 = sum(A) (wrapped) and Y4 = sum(H) (exact); Y0 = L; both
// folded to at most 0x1fffe (x&0xffff + x>>16) and added to Y12, which is
// folded again to at most 0x10002.
#define REDUCE_BLOCK \
	VPADDD Y1, Y0, Y0     \
	VPADDD Y3, Y2, Y2     \
	VPADDD Y2, Y0, Y0     \
	VPADDD Y5, Y4, Y4     \
	VPADDD Y7, Y6, Y6     \
	VPADDD Y6, Y4, Y4     \
	VPSLLD $16, Y4, Y8    \
	VPSUBD Y8, Y0, Y0     \
	VPSRLD $16, Y0, Y8    \
	VPAND  Y15, Y0, Y0    \
	VPADDD Y8, Y0, Y0     \
	VPSRLD $16, Y4, Y8    \
	VPAND  Y15, Y4, Y4    \
	VPADDD Y8, Y4, Y4     \
	VPADDD Y4, Y0, Y0     \
	VPADDD Y0, Y12, Y12   \
	VPSRLD $16, Y12, Y8   \
	VPAND  Y15, Y12, Y12  \
	VPADDD Y8, Y12, Y12

// CLEAR_BLOCK zeroes the accumulators for a new block.
#define CLEAR_BLOCK \
	VPXOR Y0, Y0, Y0 \
	VPXOR Y1, Y1, Y1 \
	VPXOR Y2, Y2, Y2 \
	VPXOR Y3, Y3, Y3 \
	VPXOR Y4, Y4, Y4 \
	VPXOR Y5, Y5, Y5 \
	VPXOR Y6, Y6, Y6 \
	VPXOR Y7, Y7, Y7

// func sumAVX2(b []byte) uint16
//
// 128 bytes per iteration, in four 32-byte streams. For each, A += data
// (8 dwords added with wrap-around) and H += data >> 16 (their high halves):
// three vector operations per 32 bytes. REDUCE_BLOCK turns A and H into the
// exact sum after at most 8192 iterations (1 MiB), before H or the low halves'
// sum could pass 2^32.
TEXT ·sumAVX2(SB), NOSPLIT, $0-26
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	XORQ AX, AX
	CMPQ CX, $128
	JB   scalar

	VPCMPEQD Y15, Y15, Y15
	VPSRLD   $16, Y15, Y15 // 0x0000ffff in every dword
	VPXOR    Y12, Y12, Y12
	CLEAR_BLOCK

block:
	MOVQ CX, DX
	SHRQ $7, DX   // 128-byte blocks left, at least 1
	CMPQ DX, $8192
	JBE  counted
	MOVQ $8192, DX

counted:
	MOVQ DX, BX
	SHLQ $7, BX
	SUBQ BX, CX   // bytes left after this block

loop128:
	VMOVDQU 0(SI), Y8
	VMOVDQU 32(SI), Y9
	VMOVDQU 64(SI), Y10
	VMOVDQU 96(SI), Y11
	VPADDD  Y8, Y0, Y0
	VPADDD  Y9, Y1, Y1
	VPADDD  Y10, Y2, Y2
	VPADDD  Y11, Y3, Y3
	VPSRLD  $16, Y8, Y8
	VPSRLD  $16, Y9, Y9
	VPSRLD  $16, Y10, Y10
	VPSRLD  $16, Y11, Y11
	VPADDD  Y8, Y4, Y4
	VPADDD  Y9, Y5, Y5
	VPADDD  Y10, Y6, Y6
	VPADDD  Y11, Y7, Y7
	ADDQ    $128, SI
	DECQ    DX
	JNZ     loop128

	CMPQ CX, $128
	JB   chunk32
	REDUCE_BLOCK
	CLEAR_BLOCK
	JMP  block

chunk32:
	// At most three 32-byte chunks left: into the last block.
	CMPQ    CX, $32
	JB      last
	VMOVDQU 0(SI), Y8
	VPADDD  Y8, Y0, Y0
	VPSRLD  $16, Y8, Y8
	VPADDD  Y8, Y4, Y4
	ADDQ    $32, SI
	SUBQ    $32, CX
	JMP     chunk32

last:
	REDUCE_BLOCK

	// Eight lanes of at most 0x10002 add up to less than 2^20.
	VEXTRACTI128 $1, Y12, X8
	VPADDD       X8, X12, X12
	VPSHUFD      $0x4e, X12, X8
	VPADDD       X8, X12, X12
	VPSHUFD      $0xb1, X12, X8
	VPADDD       X8, X12, X12
	VMOVD        X12, AX
	VZEROUPPER
	JMP          tail // fewer than 32 bytes left

scalar:
	// Fewer than 128 bytes: the scalar ADC code of sumADC.
	CMPQ CX, $64
	JB   scalar32
	ADDQ 0(SI), AX
	ADCQ 8(SI), AX
	ADCQ 16(SI), AX
	ADCQ 24(SI), AX
	ADCQ 32(SI), AX
	ADCQ 40(SI), AX
	ADCQ 48(SI), AX
	ADCQ 56(SI), AX
	ADCQ $0, AX
	ADDQ $64, SI
	SUBQ $64, CX

scalar32:
	CMPQ CX, $32
	JB   tail
	ADDQ 0(SI), AX
	ADCQ 8(SI), AX
	ADCQ 16(SI), AX
	ADCQ 24(SI), AX
	ADCQ $0, AX
	ADDQ $32, SI
	SUBQ $32, CX

tail:
	SCALAR_TAIL
