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

// func sumDecideAVX2(s *ivec, srcs *[maxIsum]*ivec, n int, deny *ivec) (best int, lead int64)
// Adds the sources to *s (in registers; *s is not written), sets the lanes
// where deny is -1 to the lowest int32, and returns the first lane holding
// the highest score and its lead over every other lane (0 on a tie).
TEXT ·sumDecideAVX2(SB), NOSPLIT, $0-48
	MOVQ    s+0(FP), DI
	MOVQ    srcs+8(FP), SI
	MOVQ    n+16(FP), CX
	MOVQ    deny+24(FP), DX
	VMOVDQU 0(DI), Y0
	VMOVDQU 32(DI), Y1
	TESTQ   CX, CX
	JLE     dsummed

dloop:
	MOVQ   (SI), AX
	VPADDD 0(AX), Y0, Y0
	VPADDD 32(AX), Y1, Y1
	ADDQ   $8, SI
	DECQ   CX
	JNZ    dloop

dsummed:
	// denied lanes: the lowest int32
	MOVL         $0x80000000, AX
	MOVL         AX, X5
	VPBROADCASTD X5, Y5
	VMOVDQU      0(DX), Y6
	VMOVDQU      32(DX), Y7
	VPBLENDVB    Y6, Y5, Y0, Y0
	VPBLENDVB    Y7, Y5, Y1, Y1

	// the highest score, in every lane of Y2
	VPMAXSD      Y1, Y0, Y2
	VEXTRACTI128 $1, Y2, X3
	VPMAXSD      X3, X2, X2
	VPSHUFD      $0x4E, X2, X3
	VPMAXSD      X3, X2, X2
	VPSHUFD      $0xB1, X2, X3
	VPMAXSD      X3, X2, X2
	VPBROADCASTD X2, Y2
	MOVL         X2, R8

	// the lanes holding it
	VPCMPEQD  Y2, Y0, Y3
	VPCMPEQD  Y2, Y1, Y4
	VMOVMSKPS Y3, AX
	VMOVMSKPS Y4, BX
	SHLQ      $8, BX
	ORQ       BX, AX
	BSFQ      AX, R9
	MOVQ      R9, best+32(FP)
	MOVQ      AX, BX
	DECQ      BX
	ANDQ      AX, BX
	JNZ       tie

	// the second highest: the others, the best one set to the lowest
	VPBLENDVB    Y3, Y5, Y0, Y0
	VPBLENDVB    Y4, Y5, Y1, Y1
	VPMAXSD      Y1, Y0, Y2
	VEXTRACTI128 $1, Y2, X3
	VPMAXSD      X3, X2, X2
	VPSHUFD      $0x4E, X2, X3
	VPMAXSD      X3, X2, X2
	VPSHUFD      $0xB1, X2, X3
	VPMAXSD      X3, X2, X2
	MOVL         X2, R10
	MOVLQSX      R8, R8
	MOVLQSX      R10, R10
	SUBQ         R10, R8
	MOVQ         R8, lead+40(FP)
	VZEROUPPER
	RET

tie:
	MOVQ $0, lead+40(FP)
	VZEROUPPER
	RET
