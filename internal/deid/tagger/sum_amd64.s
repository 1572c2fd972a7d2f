#include "textflag.h"

// func sumVecsSSE(dst *vec, srcs *[maxSum]*vec, n int)
// dst += *srcs[0] + ... + *srcs[n-1], lane by lane, in that order.
TEXT ·sumVecsSSE(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   srcs+8(FP), SI
	MOVQ   n+16(FP), CX
	MOVUPS 0(DI), X0
	MOVUPS 16(DI), X1
	MOVUPS 32(DI), X2
	MOVUPS 48(DI), X3
	TESTQ  CX, CX
	JLE    done

loop:
	MOVQ   (SI), AX
	MOVUPS 0(AX), X4
	MOVUPS 16(AX), X5
	MOVUPS 32(AX), X6
	MOVUPS 48(AX), X7
	ADDPS  X4, X0
	ADDPS  X5, X1
	ADDPS  X6, X2
	ADDPS  X7, X3
	ADDQ   $8, SI
	DECQ   CX
	JNZ    loop

done:
	MOVUPS X0, 0(DI)
	MOVUPS X1, 16(DI)
	MOVUPS X2, 32(DI)
	MOVUPS X3, 48(DI)
	RET

// func sumVecsAVX(dst *vec, srcs *[maxSum]*vec, n int)
// sumVecsSSE with eight lanes per instruction (the same additions, lane by
// lane, in the same order).
TEXT ·sumVecsAVX(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    srcs+8(FP), SI
	MOVQ    n+16(FP), CX
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	TESTQ   CX, CX
	JLE     avxdone

avxloop:
	MOVQ   (SI), AX
	VADDPS 0(AX), Y0, Y0
	VADDPS 32(AX), Y1, Y1
	ADDQ   $8, SI
	DECQ   CX
	JNZ    avxloop

avxdone:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VZEROUPPER
	RET

// func sumIvecsAVX2(dst *ivec, srcs *[maxIsum]*ivec, n int)
// dst += *srcs[0] + ... + *srcs[n-1], int32 lanes (exact, any order).
TEXT ·sumIvecsAVX2(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    srcs+8(FP), SI
	MOVQ    n+16(FP), CX
	VMOVDQU 0(DI), Y0
	VMOVDQU 32(DI), Y1
	TESTQ   CX, CX
	JLE     idone

iloop:
	MOVQ   (SI), AX
	VPADDD 0(AX), Y0, Y0
	VPADDD 32(AX), Y1, Y1
	ADDQ   $8, SI
	DECQ   CX
	JNZ    iloop

idone:
	VMOVDQU Y0, 0(DI)
	VMOVDQU Y1, 32(DI)
	VZEROUPPER
	RET
