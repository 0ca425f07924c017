// The kernels for any x86-64 (SSE2) or other CPU: the fallback when neither AVX2 nor AVX-512 is present.
#define KNS base
#define KISA "generic"
#define KTABLE kernelsBase
#define KWIDE 0
#define KLANES 4
#include "kernels.inc"
