namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>
/// Device memory with reuse: a request is rounded up to a size class (512-byte multiples; above 4 KiB under 25% larger),
/// freed blocks are kept per class and handed out again, so repeated runs and tensor churn stop calling cuMemAlloc
/// and cuMemFree (both synchronise the device). When the driver is out of memory, every cached block is released and
/// the allocation retried once; if it still fails the error says how much was asked, held and free.
/// Thread-safe.
/// </summary>
internal sealed class CachingAllocator(IDeviceMemory memory, string deviceId) : IDisposable
{
    /// <summary>The smallest class; also the alignment cuMemAlloc guarantees (at least 256 bytes).</summary>
    public const long MinimumBytes = 512;

    private readonly object _gate = new();
    private readonly Dictionary<long, Stack<ulong>> _free = [];
    private readonly Dictionary<ulong, long> _live = [];
    private long _cachedBytes;
    private long _liveBytes;
    private bool _disposed;

    /// <summary>Bytes handed out and not yet returned.</summary>
    public long LiveBytes
    {
        get { lock (_gate) return _liveBytes; }
    }

    /// <summary>Bytes held in the cache for reuse.</summary>
    public long CachedBytes
    {
        get { lock (_gate) return _cachedBytes; }
    }

    /// <summary>How many requests were served from the cache.</summary>
    public int Reuses { get; private set; }

    /// <summary>
    /// The class a request falls in: in (2^k, 2^(k+1)] classes are 2^(k-2) apart (≤ 25% over the request for the
    /// smallest requests of an octave, about 12.5% on average), never below <see cref="MinimumBytes"/>.
    /// </summary>
    public static long SizeClass(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes <= MinimumBytes) return MinimumBytes;
        long pow2 = 1L << (int)(64 - long.LeadingZeroCount(bytes - 1)); // smallest power of two ≥ bytes
        long step = Math.Max(MinimumBytes, pow2 / 8);
        return (bytes + step - 1) / step * step;
    }

    /// <summary>A block of at least <paramref name="bytes"/> bytes (contents undefined); <paramref name="what"/> names it in errors.</summary>
    public DeviceBlock Allocate(long bytes, string what)
    {
        long size = SizeClass(bytes);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_free.TryGetValue(size, out var stack) && stack.Count > 0)
            {
                ulong reused = stack.Pop();
                _cachedBytes -= size;
                Reuses++;
                return Hand(reused, size);
            }
            int status = memory.TryAllocate(size, out ulong pointer);
            if (status == Interop.CuResult.OutOfMemory)
            {
                ReleaseCached();
                status = memory.TryAllocate(size, out pointer);
            }
            if (status == Interop.CuResult.OutOfMemory)
            {
                var (free, total) = SafeInfo();
                throw new OutOfMemoryException(
                    $"{deviceId} is out of memory allocating {Format(size)} for {what}: Pixelfly holds {Format(_liveBytes)} in live tensors and buffers, " +
                    $"the device has {free} free of {total}; use smaller batches or free tensors");
            }
            if (status != Interop.CuResult.Success) throw memory.Error(status, size);
            return Hand(pointer, size);
        }
    }

    /// <summary>Returns a block to the cache (a block not from this allocator, or returned twice, is an error).</summary>
    public void Free(DeviceBlock block)
    {
        lock (_gate)
        {
            if (_disposed) return; // the context that owned it is gone, and the memory with it
            if (!_live.Remove(block.Pointer, out long size) || size != block.Bytes)
                throw new InvalidOperationException($"device block 0x{block.Pointer:x} ({block.Bytes} bytes) is not live in {deviceId}'s allocator");
            _liveBytes -= size;
            if (!_free.TryGetValue(size, out var stack)) _free[size] = stack = new Stack<ulong>();
            stack.Push(block.Pointer);
            _cachedBytes += size;
        }
    }

    /// <summary>Releases every cached block to the driver.</summary>
    public void Trim()
    {
        lock (_gate) ReleaseCached();
    }

    /// <summary>Releases everything, live blocks included (the device is closing).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            ReleaseCached();
            foreach (var pointer in _live.Keys) memory.Free(pointer);
            _live.Clear();
            _liveBytes = 0;
            _disposed = true;
        }
    }

    private DeviceBlock Hand(ulong pointer, long size)
    {
        _live[pointer] = size;
        _liveBytes += size;
        return new DeviceBlock(pointer, size);
    }

    private void ReleaseCached()
    {
        foreach (var stack in _free.Values)
            while (stack.Count > 0) memory.Free(stack.Pop());
        _free.Clear();
        _cachedBytes = 0;
    }

    private (string Free, string Total) SafeInfo()
    {
        try
        {
            var (free, total) = memory.Info();
            return (Format(free), Format(total));
        }
        catch (Exception e) when (e is Interop.CudaException)
        {
            return ("unknown", "unknown");
        }
    }

    /// <summary>Bytes as "1.5 GiB", "12 MiB", "512 B".</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.##} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.##} KiB",
        _ => $"{bytes} B",
    };
}
