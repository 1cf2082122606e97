using Pixelfly.Backends.Cuda.Runtime;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>The caching allocator over a fake device memory: size classes, reuse, out-of-memory handling.</summary>
public sealed class CachingAllocatorTests
{
    private sealed class FakeMemory(long capacity) : IDeviceMemory
    {
        private ulong _next = 0x7f00_0000_0000;
        public Dictionary<ulong, long> Live { get; } = [];
        public int Allocations { get; private set; }
        public int Frees { get; private set; }
        public long Used => Live.Values.Sum();

        public int TryAllocate(long bytes, out ulong pointer)
        {
            pointer = 0;
            if (Used + bytes > capacity) return 2; // CUDA_ERROR_OUT_OF_MEMORY
            pointer = _next;
            _next += (ulong)bytes;
            Live[pointer] = bytes;
            Allocations++;
            return 0;
        }

        public void Free(ulong pointer)
        {
            Assert.That(Live.Remove(pointer), Is.True, "freed a pointer that is not allocated");
            Frees++;
        }

        public (long Free, long Total) Info() => (capacity - Used, capacity);

        public Exception Error(int status, long bytes) => new InvalidOperationException($"status {status}");
    }

    [TestCase(0, 512)]
    [TestCase(1, 512)]
    [TestCase(512, 512)]
    [TestCase(513, 1024)]
    [TestCase(4096, 4096)]
    [TestCase(4097, 5120)]
    [TestCase(1 << 20, 1 << 20)]
    [TestCase((1 << 20) + 1, (1 << 20) + (1 << 18))]
    [TestCase(3_000_000, 3_145_728)]
    public void Size_classes_round_up_by_less_than_a_quarter(long bytes, long expected)
    {
        Assert.That(CachingAllocator.SizeClass(bytes), Is.EqualTo(expected));
        if (bytes > 4096) Assert.That(CachingAllocator.SizeClass(bytes), Is.LessThan(bytes * 1.25), "over 4 KiB the classes are an eighth of an octave apart");
    }

    [Test]
    public void A_freed_block_is_reused_for_a_request_of_the_same_class()
    {
        var memory = new FakeMemory(1 << 30);
        using var allocator = new CachingAllocator(memory, "cuda:test");
        var a = allocator.Allocate(1000, "a");
        allocator.Free(a);
        Assert.That(allocator.CachedBytes, Is.EqualTo(1024));
        var b = allocator.Allocate(900, "b");
        Assert.Multiple(() =>
        {
            Assert.That(b.Pointer, Is.EqualTo(a.Pointer));
            Assert.That(memory.Allocations, Is.EqualTo(1));
            Assert.That(allocator.Reuses, Is.EqualTo(1));
            Assert.That(allocator.LiveBytes, Is.EqualTo(1024));
            Assert.That(allocator.CachedBytes, Is.Zero);
        });
    }

    [Test]
    public void Out_of_memory_releases_the_cache_and_retries()
    {
        var memory = new FakeMemory(4096);
        using var allocator = new CachingAllocator(memory, "cuda:test");
        allocator.Free(allocator.Allocate(3000, "a")); // 3072 cached
        var big = allocator.Allocate(2048, "b");        // does not fit beside the cached block
        Assert.That(memory.Frees, Is.EqualTo(1));
        Assert.That(allocator.CachedBytes, Is.Zero);
        Assert.That(allocator.LiveBytes, Is.EqualTo(big.Bytes));
    }

    [Test]
    public void Out_of_memory_after_the_retry_says_what_was_asked_held_and_free()
    {
        var memory = new FakeMemory(1 << 20);
        using var allocator = new CachingAllocator(memory, "cuda:test");
        allocator.Allocate(600_000, "a");
        var e = Assert.Throws<OutOfMemoryException>(() => allocator.Allocate(600_000, "tensor f32[150000]"))!;
        Assert.That(e.Message, Does.Contain("cuda:test is out of memory allocating 640 KiB for tensor f32[150000]"));
        Assert.That(e.Message, Does.Contain("Pixelfly holds 640 KiB"));
        Assert.That(e.Message, Does.Contain("384 KiB free of 1 MiB"));
    }

    [Test]
    public void Freeing_a_block_twice_is_an_error_and_trim_and_dispose_return_everything()
    {
        var memory = new FakeMemory(1 << 30);
        var allocator = new CachingAllocator(memory, "cuda:test");
        var a = allocator.Allocate(100, "a");
        var b = allocator.Allocate(100_000, "b");
        allocator.Free(a);
        Assert.Throws<InvalidOperationException>(() => allocator.Free(a));
        allocator.Trim();
        Assert.That(memory.Live.Keys, Is.EqualTo(new[] { b.Pointer }));
        allocator.Dispose();
        Assert.That(memory.Live, Is.Empty);
        Assert.Throws<ObjectDisposedException>(() => allocator.Allocate(1, "late"));
    }
}
