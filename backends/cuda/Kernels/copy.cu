// Copies that move bits untouched, so they serve every dtype: a plain byte copy (the runtime's pass-through
// outputs and donation, and reshape) and a strided copy (transpose, slice, broadcast_to, pad's interior,
// concat's slabs) through a view table: collapsed dims, the destination's element strides, the source's.
#include "ops.cuh"

// dst[0, bytes) = src[0, bytes). The widest access both pointers' alignment allows: 16-byte vectors when both
// are 16-byte aligned (device allocations are), else 4-byte words, else single bytes; the tail goes bytewise.
extern "C" __global__ void pf_copy_bytes(void* dst, const void* src, long long bytes) {
    unsigned long long both = (unsigned long long)dst | (unsigned long long)src;
    long long done = 0;
    if ((both & 15ull) == 0) {
        long long vectors = bytes / 16;
        for (long long i = pf_first_item(); i < vectors; i += pf_item_stride())
            ((uint4*)dst)[i] = ((const uint4*)src)[i];
        done = vectors * 16;
    } else if ((both & 3ull) == 0) {
        long long words = bytes / 4;
        for (long long i = pf_first_item(); i < words; i += pf_item_stride())
            ((unsigned int*)dst)[i] = ((const unsigned int*)src)[i];
        done = words * 4;
    }
    for (long long i = done + pf_first_item(); i < bytes; i += pf_item_stride())
        ((unsigned char*)dst)[i] = ((const unsigned char*)src)[i];
}

// For each element i < count of the view: dst[outBase + outOffset(i)] = src[inBase + inOffset(i)], elements of
// elementSize (2 or 4) bytes. The view's operand 0 is the destination, operand 1 the source.
extern "C" __global__ void pf_copy_strided(void* dst, const void* src, int elementSize, long long count,
                                           int rank, const int* __restrict__ view, long long outBase, long long inBase) {
    for (long long i = pf_first_item(); i < count; i += pf_item_stride()) {
        unsigned int off[2];
        pf_view_offsets<2>(view, rank, (unsigned int)i, off);
        pf_store_bits(dst, outBase + off[0], elementSize, pf_load_bits(src, inBase + off[1], elementSize));
    }
}
