// The kernels for any x86-64 (SSE2) or other CPU: the fallback when neither AVX2 nor AVX-512 is present.
#define KNS base
#define KISA "generic"
#define KTABLE kernelsBase
#include "kernels.inc"
