#include "textflag.h"

// func prefetchIdx(base unsafe.Pointer, stride uintptr, idx []uint32)
TEXT ·prefetchIdx(SB), NOSPLIT, $0-40
	MOVQ base+0(FP), SI
	MOVQ stride+8(FP), DX
	MOVQ idx_base+16(FP), DI
	MOVQ idx_len+24(FP), CX
	TESTQ CX, CX
	JZ   done

loop:
	MOVL       (DI), AX
	IMULQ      DX, AX
	PREFETCHT0 (SI)(AX*1)
	ADDQ       $4, DI
	DECQ       CX
	JNZ        loop

done:
	RET

// func prefetch2(a, b uintptr)
TEXT ·prefetch2(SB), NOSPLIT, $0-16
	MOVQ       a+0(FP), AX
	MOVQ       b+8(FP), BX
	PREFETCHT0 (AX)
	PREFETCHT0 (BX)
	RET
