using Pixelfly.Backends.Cuda.Interop;

namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>
/// One opened device: the driver, the device's primary context and the one stream every transfer and run goes
/// through (so they are ordered among themselves). A CUDA context is current per thread, so every entry point makes
/// it current first with <see cref="Enter"/>; calls on the device's objects are serialised by <see cref="Gate"/>
/// where they share state (the stream).
/// </summary>
internal sealed class CudaContext : IDisposable
{
    private bool _disposed;

    public CudaContext(CudaDriverApi api, CudaDeviceFacts facts)
    {
        Api = api;
        Facts = facts;
        Device = api.Device(facts.Ordinal);
        Handle = api.RetainPrimaryContext(Device);
        try
        {
            api.SetCurrent(Handle);
            Stream = api.CreateStream();
        }
        catch
        {
            api.ReleasePrimaryContext(Device);
            throw;
        }
    }

    public CudaDriverApi Api { get; }

    public CudaDeviceFacts Facts { get; }

    /// <summary>The CUdevice handle.</summary>
    public int Device { get; }

    /// <summary>The primary context.</summary>
    public nint Handle { get; }

    /// <summary>The device's stream.</summary>
    public nint Stream { get; }

    /// <summary>Serialises use of <see cref="Stream"/> across threads (uploads, downloads, runs).</summary>
    public object Gate { get; } = new();

    public bool IsDisposed => _disposed;

    /// <summary>Makes the context current on this thread (cheap; required before any call on this thread).</summary>
    public void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Api.SetCurrent(Handle);
    }

    public void Dispose()
    {
        if (_disposed) return;
        // Teardown must not throw over the original failure that may be unwinding: errors here are swallowed
        // (the context is released anyway, which frees everything still allocated in it).
        try
        {
            Api.SetCurrent(Handle);
            Api.Synchronize(Stream);
            Api.DestroyStream(Stream);
        }
        catch (CudaException)
        {
        }
        _disposed = true;
        try
        {
            Api.ReleasePrimaryContext(Device);
        }
        catch (CudaException)
        {
        }
    }
}
