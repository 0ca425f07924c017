// The kernels for CPUs with AVX2 and FMA (compiled with -mavx2 -mfma).
#define KNS avx2
#define KISA "avx2"
#define KTABLE kernelsAvx2
#define KWIDE 0
#define KLANES 8
#include "kernels.inc"
