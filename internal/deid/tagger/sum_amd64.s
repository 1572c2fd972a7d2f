#include "textflag.h"

// func sumVecs(dst *vec, srcs *[maxSum]*vec, n int)
// dst += *srcs[0] + ... + *srcs[n-1], lane by lane, in that order.
TEXT ·sumVecs(SB), NOSPLIT, $0-24
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
