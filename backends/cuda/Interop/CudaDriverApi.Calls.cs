namespace Pixelfly.Backends.Cuda.Interop;

// Checked wrappers, one per driver function. Handles (contexts, streams, modules, ...) are opaque pointers;
// device memory addresses are 64-bit CUdeviceptr values.
internal sealed unsafe partial class CudaDriverApi
{
    /// <summary>cuDriverGetVersion: the CUDA version the driver supports, e.g. 13000 for 13.0.</summary>
    public int DriverVersion()
    {
        int v;
        Check(_driverGetVersion(&v), "cuDriverGetVersion");
        return v;
    }

    public int DeviceCount()
    {
        int n;
        Check(_deviceGetCount(&n), "cuDeviceGetCount");
        return n;
    }

    public int Device(int ordinal)
    {
        int d;
        Check(_deviceGet(&d, ordinal), "cuDeviceGet", $"device ordinal {ordinal}");
        return d;
    }

    public string DeviceName(int device)
    {
        var buffer = stackalloc byte[256];
        Check(_deviceGetName(buffer, 256, device), "cuDeviceGetName");
        return NativeStrings.Read(buffer) ?? "";
    }

    public int Attribute(int device, CuDeviceAttribute attribute)
    {
        int v;
        Check(_deviceGetAttribute(&v, (int)attribute, device), "cuDeviceGetAttribute", attribute.ToString());
        return v;
    }

    public long TotalMemory(int device)
    {
        nuint bytes;
        Check(_deviceTotalMem(&bytes, device), "cuDeviceTotalMem_v2");
        return (long)bytes;
    }

    /// <summary>cuDevicePrimaryCtxRetain: the device's primary context (shared with other CUDA users in the process).</summary>
    public nint RetainPrimaryContext(int device)
    {
        nint ctx;
        Check(_primaryCtxRetain(&ctx, device), "cuDevicePrimaryCtxRetain");
        return ctx;
    }

    public void ReleasePrimaryContext(int device) => Check(_primaryCtxRelease(device), "cuDevicePrimaryCtxRelease_v2");

    public void SetCurrent(nint context) => Check(_ctxSetCurrent(context), "cuCtxSetCurrent");

    public (long Free, long Total) MemoryInfo()
    {
        nuint free, total;
        Check(_memGetInfo(&free, &total), "cuMemGetInfo_v2");
        return ((long)free, (long)total);
    }

    /// <summary>cuMemAlloc_v2; returns the raw status so the allocator can react to out-of-memory (trim and retry).</summary>
    public int TryAllocate(long bytes, out ulong pointer)
    {
        ulong p = 0;
        int status = _memAlloc(&p, (nuint)bytes);
        pointer = p;
        return status;
    }

    public void Free(ulong pointer) => Check(_memFree(pointer), "cuMemFree_v2");

    public void CopyHostToDevice(ulong destination, void* source, long bytes, nint stream) =>
        Check(_memcpyHtoDAsync(destination, source, (nuint)bytes, stream), "cuMemcpyHtoDAsync_v2", $"{bytes} bytes");

    public void CopyDeviceToHost(void* destination, ulong source, long bytes, nint stream) =>
        Check(_memcpyDtoHAsync(destination, source, (nuint)bytes, stream), "cuMemcpyDtoHAsync_v2", $"{bytes} bytes");

    public void CopyDeviceToDevice(ulong destination, ulong source, long bytes, nint stream) =>
        Check(_memcpyDtoDAsync(destination, source, (nuint)bytes, stream), "cuMemcpyDtoDAsync_v2", $"{bytes} bytes");

    public void Fill(ulong destination, byte value, long bytes, nint stream) =>
        Check(_memsetD8Async(destination, value, (nuint)bytes, stream), "cuMemsetD8Async", $"{bytes} bytes");

    /// <summary>cuStreamCreate with CU_STREAM_DEFAULT: the stream also orders with the legacy default stream.</summary>
    public nint CreateStream()
    {
        nint s;
        Check(_streamCreate(&s, 0), "cuStreamCreate");
        return s;
    }

    public void Synchronize(nint stream) => Check(_streamSynchronize(stream), "cuStreamSynchronize");

    public void DestroyStream(nint stream) => Check(_streamDestroy(stream), "cuStreamDestroy_v2");

    /// <summary>cuEventCreate with CU_EVENT_DEFAULT (timing enabled).</summary>
    public nint CreateEvent()
    {
        nint e;
        Check(_eventCreate(&e, 0), "cuEventCreate");
        return e;
    }

    public void Record(nint @event, nint stream) => Check(_eventRecord(@event, stream), "cuEventRecord");

    public void SynchronizeEvent(nint @event) => Check(_eventSynchronize(@event), "cuEventSynchronize");

    public float ElapsedMilliseconds(nint start, nint end)
    {
        float ms;
        Check(_eventElapsedTime(&ms, start, end), "cuEventElapsedTime");
        return ms;
    }

    public void DestroyEvent(nint @event) => Check(_eventDestroy(@event), "cuEventDestroy_v2");

    /// <summary>cuModuleLoadData: a cubin, or NUL-terminated PTX that the driver JIT-compiles for the device.</summary>
    public nint LoadModule(byte[] image, string what)
    {
        nint module;
        fixed (byte* p = image) Check(_moduleLoadData(&module, p), "cuModuleLoadData", what);
        return module;
    }

    public void UnloadModule(nint module) => Check(_moduleUnload(module), "cuModuleUnload");

    public nint Function(nint module, string name, string what)
    {
        nint f;
        using var text = new NativeStrings([name]);
        Check(_moduleGetFunction(&f, module, text.Pointers[0]), "cuModuleGetFunction", $"{name} in {what}");
        return f;
    }

    public void SetAttribute(nint function, CuFunctionAttribute attribute, int value, string what) =>
        Check(_funcSetAttribute(function, (int)attribute, value), "cuFuncSetAttribute", $"{attribute}={value} for {what}");

    public int GetAttribute(nint function, CuFunctionAttribute attribute)
    {
        int v;
        Check(_funcGetAttribute(&v, (int)attribute, function), "cuFuncGetAttribute", attribute.ToString());
        return v;
    }

    /// <summary>cuLaunchKernel with parameters as an array of pointers to each argument's value.</summary>
    public void Launch(nint function, (uint X, uint Y, uint Z) grid, (uint X, uint Y, uint Z) block, int sharedBytes, nint stream, void** parameters, string label) =>
        Check(_launchKernel(function, grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z, (uint)sharedBytes, stream, parameters, null),
            "cuLaunchKernel", $"{label} (grid {grid.X}x{grid.Y}x{grid.Z}, block {block.X}x{block.Y}x{block.Z}, {sharedBytes} B dynamic shared)");

    /// <summary>cuStreamBeginCapture_v2 in CU_STREAM_CAPTURE_MODE_THREAD_LOCAL (other threads may keep using CUDA).</summary>
    public void BeginCapture(nint stream) => Check(_streamBeginCapture(stream, 1), "cuStreamBeginCapture_v2");

    public nint EndCapture(nint stream)
    {
        nint graph;
        Check(_streamEndCapture(stream, &graph), "cuStreamEndCapture");
        return graph;
    }

    /// <summary>Ends a capture that failed part-way, ignoring the status (the capture is already invalid).</summary>
    public void AbandonCapture(nint stream)
    {
        nint graph = 0;
        if (_streamEndCapture(stream, &graph) == CuResult.Success && graph != 0) _graphDestroy(graph);
    }

    public nint Instantiate(nint graph)
    {
        nint exec;
        Check(_graphInstantiateWithFlags(&exec, graph, 0), "cuGraphInstantiateWithFlags");
        return exec;
    }

    public void LaunchGraph(nint exec, nint stream) => Check(_graphLaunch(exec, stream), "cuGraphLaunch");

    public void DestroyGraphExec(nint exec) => Check(_graphExecDestroy(exec), "cuGraphExecDestroy");

    public void DestroyGraph(nint graph) => Check(_graphDestroy(graph), "cuGraphDestroy");
}
