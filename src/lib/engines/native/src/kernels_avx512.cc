// The kernels for CPUs with AVX-512 (compiled with -mavx512f -mavx512dq -mavx512vl -mfma).
#define KNS avx512
#define KISA "avx512"
#define KTABLE kernelsAvx512
#define KWIDE 1
#define KLANES 16
#include "kernels.inc"
