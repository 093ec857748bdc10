#include "textflag.h"

// func crc32cInsn(crc uint32, p []byte) uint32
TEXT ·crc32cInsn(SB), NOSPLIT, $0-36
	MOVL crc+0(FP), AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	CMPQ CX, $8
	JB   tail

loop8:
	CRC32Q (SI), AX
	ADDQ   $8, SI
	SUBQ   $8, CX
	CMPQ   CX, $8
	JAE    loop8

tail:
	TESTQ $4, CX
	JZ    tail2
	CRC32L (SI), AX
	ADDQ  $4, SI

tail2:
	TESTQ $2, CX
	JZ    tail1
	CRC32W (SI), AX
	ADDQ  $2, SI

tail1:
	TESTQ $1, CX
	JZ    done
	CRC32B (SI), AX

done:
	MOVL AX, ret+32(FP)
	RET

// func crc32cUint32Insn(v uint32, crc uint32) uint32
TEXT ·crc32cUint32Insn(SB), NOSPLIT, $0-12
	MOVL   crc+4(FP), AX
	MOVL   v+0(FP), BX
	CRC32L BX, AX
	MOVL   AX, ret+8(FP)
	RET

// func crc32cUint64Insn(v uint64, crc uint32) uint32
TEXT ·crc32cUint64Insn(SB), NOSPLIT, $0-20
	MOVL   crc+8(FP), AX
	MOVQ   v+0(FP), BX
	CRC32Q BX, AX
	MOVL   AX, ret+16(FP)
	RET
