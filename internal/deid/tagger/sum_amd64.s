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

// HMAX puts the highest of the scores in Y0, Y1 in every lane of Y2.
// Uses Y3.
#define HMAX \
	VPMAXSD      Y1, Y0, Y2 \
	VEXTRACTI128 $1, Y2, X3 \
	VPMAXSD      X3, X2, X2 \
	VPSHUFD      $0x4E, X2, X3 \
	VPMAXSD      X3, X2, X2 \
	VPSHUFD      $0xB1, X2, X3 \
	VPMAXSD      X3, X2, X2 \
	VPBROADCASTD X2, Y2

// ABOVE sets Y2 to best - 9 (from HMAX, 9 in Y8) and AX to the mask of
// the lanes of Y0, Y1 above it. Uses BX, Y3, Y4.
#define ABOVE \
	VPSUBD       Y8, Y2, Y2 \
	VPCMPGTD     Y2, Y0, Y3 \
	VPCMPGTD     Y2, Y1, Y4 \
	VMOVMSKPS    Y3, AX \
	VMOVMSKPS    Y4, BX \
	SHLQ         $8, BX \
	ORQ          BX, AX

// ONEBIT leaves ZF set when AX has exactly one bit set (not zero: the
// best lane is always above best - 9). Uses BX.
#define ONEBIT \
	MOVQ         AX, BX \
	DECQ         BX \
	TESTQ        AX, BX

// DECIDE: with the scores in Y0, Y1 (the denied lanes already the lowest
// int32) and 9 (fallbackMargin+1) in every lane of Y8, puts the first lane
// holding the highest score in best and leaves ZF set when the choice is
// sure: no lane but the best's above best - 9 (every other allowed lane at
// least 9 lower; a tie puts two lanes there). |score| <= maxFeatures*32768,
// so best - 9 does not wrap, and the denied lanes stay below it. Uses AX,
// BX, Y2-Y4.
#define DECIDE(best) \
	HMAX \
	VPCMPEQD     Y2, Y0, Y3 \
	VPCMPEQD     Y2, Y1, Y4 \
	VMOVMSKPS    Y3, AX \
	VMOVMSKPS    Y4, BX \
	SHLQ         $8, BX \
	ORQ          BX, AX \
	BSFQ         AX, best \
	ABOVE \
	ONEBIT

// DECIDESURE is DECIDE for a caller that reads best only when the choice
// is sure: then exactly one lane lies above best - 9, the best's (a tie
// puts two there), so best is the lowest bit of that mask, and the mask of
// the lanes equal to the highest score is not needed. Uses AX, BX, Y2-Y4.
#define DECIDESURE(best) \
	HMAX \
	ABOVE \
	BSFQ         AX, best \
	ONEBIT

// func sumDecideAVX2(s *ivec, srcs *[maxIsum]*ivec, n int, deny *ivec) (best int, sure bool)
// Adds the sources to *s (in registers; *s is not written), sets the lanes
// where deny is -1 to the lowest int32, and returns the first lane holding
// the highest score and whether it leads every other lane by more than
// fallbackMargin (8; false on a tie).
TEXT ·sumDecideAVX2(SB), NOSPLIT, $0-41
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
	MOVL         $9, AX
	MOVL         AX, X8
	VPBROADCASTD X8, Y8
	DECIDE(R9)
	SETEQ        sure+40(FP)
	MOVQ         R9, best+32(FP)
	VZEROUPPER
	RET

// func scoreRunAVX2(a *runArgs)
// Scores tokens a.i, a.i+1, ... as tagFast's loop does with sumDecideAVX2
// (see tagRun) and writes their tags, until the last token or one it
// leaves to the caller (its xDelta not computed yet, or a lead within
// fallbackMargin): a.i is then that token (a.n when none).
// Each tag written, its lead over O goes to leads[i] (the best score less
// O's: DECIDESURE leaves best - 9 in every lane of Y2, O is never denied).
// Offsets (TestRunLayout): runArgs ws 0, ps 8, tags 16, deny 24, delta 32,
// edgeM2 40, edgeP2 48, i 56, n 64, nt 72, p1 80, p2 88, leads 96; word.own 0,
// word.cl 64; wclass.nb 0, xd 256, xDone 280; hpair.toB 0, toA 32, toC 64.
TEXT ·scoreRunAVX2(SB), NOSPLIT, $0-8
	MOVQ a+0(FP), DX
	MOVQ 0(DX), SI
	MOVQ 8(DX), DI
	MOVQ 16(DX), R11
	MOVQ 24(DX), R10
	MOVQ 56(DX), R12
	MOVQ 64(DX), R13
	MOVQ 80(DX), R8
	MOVQ 88(DX), R9
	MOVQ 96(DX), R15 // leads

	// the lowest int32 and 9 (fallbackMargin+1) in every lane
	MOVL         $0x80000000, AX
	MOVL         AX, X5
	VPBROADCASTD X5, Y5
	MOVL         $9, AX
	MOVL         AX, X8
	VPBROADCASTD X8, Y8
	VMOVDQU      0(R10), Y11
	VMOVDQU      32(R10), Y12
	CMPQ         R12, R13
	JGE          sleave

sloop:
	MOVQ    (SI)(R12*8), AX // ws[i].own
	VMOVDQU 0(AX), Y0
	VMOVDQU 32(AX), Y1
	MOVQ      (DI)(R12*8), BX // ps[i].toB, int16 lanes
	VPMOVSXWD 0(BX), Y9
	VPMOVSXWD 16(BX), Y10
	VPADDD    Y9, Y0, Y0
	VPADDD    Y10, Y1, Y1
	MOVQ      8(DI)(R12*8), BX // ps[i+1].toA
	VPMOVSXWD 32(BX), Y9
	VPMOVSXWD 48(BX), Y10
	VPADDD    Y9, Y0, Y0
	VPADDD    Y10, Y1, Y1

	// ps[i-1].toC, the edge (int32 lanes) for the first token (the
	// edges out of line: the common path falls through)
	TESTQ     R12, R12
	JZ        sedge
	MOVQ      -8(DI)(R12*8), BX
	VPMOVSXWD 64(BX), Y9
	VPMOVSXWD 80(BX), Y10
	VPADDD    Y9, Y0, Y0
	VPADDD    Y10, Y1, Y1

stoc:
	// ws[i+2].cl.nb[3], the edge for the last two tokens
	LEAQ   2(R12), CX
	CMPQ   CX, R13
	JGE    snbedge
	MOVQ   16(SI)(R12*8), BX
	MOVQ   64(BX), BX
	VPADDD 192(BX), Y0, Y0
	VPADDD 224(BX), Y1, Y1

snb:
	// after O, O: the denied lanes of deny[0], held in Y11, Y12 (so that
	// the next token's sum waits on this token's tag only through this
	// predicted branch, not through a load whose address is the tag)
	MOVQ      R8, CX
	ORQ       R9, CX
	JNZ       safter
	VPBLENDVB Y11, Y5, Y0, Y0
	VPBLENDVB Y12, Y5, Y1, Y1

sdecide:
	DECIDESURE(CX)
	JNZ       sleave // not sure: the caller does

	VPSUBD X0, X2, X3 // best - 9 - O's score
	VPADDD X8, X3, X3
	VMOVD  X3, (R15)(R12*4)
	MOVB  CX, (R11)(R12*1)
	MOVQ R8, R9
	MOVQ CX, R8
	INCQ R12
	CMPQ R12, R13
	JLT  sloop

sleave:
	MOVQ R12, 56(DX)
	VZEROUPPER
	RET

sedge:
	MOVQ   40(DX), BX
	VPADDD 0(BX), Y0, Y0
	VPADDD 32(BX), Y1, Y1
	JMP    stoc

snbedge:
	MOVQ   48(DX), BX
	VPADDD 0(BX), Y0, Y0
	VPADDD 32(BX), Y1, Y1
	JMP    snb

safter:
	// after a tag other than O: tagDelta[p1*nt+p2], and xDelta after p1
	MOVQ   R8, CX
	IMULQ  72(DX), CX
	ADDQ   R9, CX
	SHLQ   $6, CX
	ADDQ   32(DX), CX
	VPADDD 0(CX), Y0, Y0
	VPADDD 32(CX), Y1, Y1
	TESTQ  R8, R8
	JZ     sdeny
	MOVQ   64(AX), BX  // ws[i].cl
	MOVL   280(BX), AX // xDone
	MOVQ   R8, CX
	SHRL   CX, AX
	TESTL  $1, AX
	JZ     sleave      // not computed yet: the caller does
	MOVQ   256(BX), BX // xd
	MOVQ   R8, CX
	SHLQ   $6, CX
	VPADDD 0(BX)(CX*1), Y0, Y0
	VPADDD 32(BX)(CX*1), Y1, Y1

sdeny:
	// denied lanes after p1: the lowest int32
	MOVQ      R8, CX
	SHLQ      $6, CX
	VMOVDQU   0(R10)(CX*1), Y6
	VMOVDQU   32(R10)(CX*1), Y7
	VPBLENDVB Y6, Y5, Y0, Y0
	VPBLENDVB Y7, Y5, Y1, Y1
	JMP       sdecide
