#include "emu_rt.h"
#include <deque>
thread_local EmuDim threadIdx, blockIdx;
EmuDim blockDim, gridDim;
EmuCta* g_cta;
unsigned char* g_smem_base;
struct EmuCopy { unsigned dst; const void* src; int bytes; };
thread_local std::vector<EmuCopy> t_pending;
thread_local std::deque<std::vector<EmuCopy>> t_groups;
