namespace Pixelfly.Backends.Cuda.Interop;

/// <summary>
/// The CUDA driver API (libcuda.so.1, installed with the NVIDIA driver), through function pointers resolved at load
/// so that a missing driver is a reason, never a type-load exception. Only what the backend uses is bound. Every
/// wrapper checks the CUresult and throws <see cref="CudaException"/> naming the call and the error's name and text.
/// Names with _v2 are the entry points cuda.h maps the plain names to on 64-bit builds.
/// </summary>
internal sealed unsafe partial class CudaDriverApi
{
    /// <summary>The driver library's soname (the NVIDIA driver package installs it).</summary>
    public const string LibraryName = "libcuda.so.1";

    // The loader's search first; then where driver packages and container runtimes put it when that search misses.
    private static readonly Lazy<(CudaDriverApi? Api, string? Reason)> SharedInstance = new(() => Load(
        [LibraryName, "/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/local/nvidia/lib64/libcuda.so.1", "/usr/lib64/libcuda.so.1", "/usr/lib/wsl/lib/libcuda.so.1"]));

    private readonly delegate* unmanaged<int, byte**, int> _getErrorName;
    private readonly delegate* unmanaged<int, byte**, int> _getErrorString;
    private readonly delegate* unmanaged<uint, int> _init;
    private readonly delegate* unmanaged<int*, int> _driverGetVersion;
    private readonly delegate* unmanaged<int*, int> _deviceGetCount;
    private readonly delegate* unmanaged<int*, int, int> _deviceGet;
    private readonly delegate* unmanaged<byte*, int, int, int> _deviceGetName;
    private readonly delegate* unmanaged<int*, int, int, int> _deviceGetAttribute;
    private readonly delegate* unmanaged<nuint*, int, int> _deviceTotalMem;
    private readonly delegate* unmanaged<nint*, int, int> _primaryCtxRetain;
    private readonly delegate* unmanaged<int, int> _primaryCtxRelease;
    private readonly delegate* unmanaged<nint, int> _ctxSetCurrent;
    private readonly delegate* unmanaged<nuint*, nuint*, int> _memGetInfo;
    private readonly delegate* unmanaged<ulong*, nuint, int> _memAlloc;
    private readonly delegate* unmanaged<ulong, int> _memFree;
    private readonly delegate* unmanaged<ulong, void*, nuint, nint, int> _memcpyHtoDAsync;
    private readonly delegate* unmanaged<void*, ulong, nuint, nint, int> _memcpyDtoHAsync;
    private readonly delegate* unmanaged<ulong, ulong, nuint, nint, int> _memcpyDtoDAsync;
    private readonly delegate* unmanaged<ulong, byte, nuint, nint, int> _memsetD8Async;
    private readonly delegate* unmanaged<nint*, uint, int> _streamCreate;
    private readonly delegate* unmanaged<nint, int> _streamSynchronize;
    private readonly delegate* unmanaged<nint, int> _streamDestroy;
    private readonly delegate* unmanaged<nint*, uint, int> _eventCreate;
    private readonly delegate* unmanaged<nint, nint, int> _eventRecord;
    private readonly delegate* unmanaged<nint, int> _eventSynchronize;
    private readonly delegate* unmanaged<float*, nint, nint, int> _eventElapsedTime;
    private readonly delegate* unmanaged<nint, int> _eventDestroy;
    private readonly delegate* unmanaged<nint*, void*, int> _moduleLoadData;
    private readonly delegate* unmanaged<nint, int> _moduleUnload;
    private readonly delegate* unmanaged<nint*, nint, byte*, int> _moduleGetFunction;
    private readonly delegate* unmanaged<nint, int, int, int> _funcSetAttribute;
    private readonly delegate* unmanaged<int*, int, nint, int> _funcGetAttribute;
    private readonly delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int> _launchKernel;
    private readonly delegate* unmanaged<nint, int, int> _streamBeginCapture;
    private readonly delegate* unmanaged<nint, nint*, int> _streamEndCapture;
    private readonly delegate* unmanaged<nint*, nint, ulong, int> _graphInstantiateWithFlags;
    private readonly delegate* unmanaged<nint, nint, int> _graphLaunch;
    private readonly delegate* unmanaged<nint, int> _graphExecDestroy;
    private readonly delegate* unmanaged<nint, int> _graphDestroy;

    private CudaDriverApi(LoadedLibrary library)
    {
        LoadedFrom = library.LoadedAs;
        nint F(string name) => NativeLibraryProbe.Export(library, name);
        _getErrorName = (delegate* unmanaged<int, byte**, int>)F("cuGetErrorName");
        _getErrorString = (delegate* unmanaged<int, byte**, int>)F("cuGetErrorString");
        _init = (delegate* unmanaged<uint, int>)F("cuInit");
        _driverGetVersion = (delegate* unmanaged<int*, int>)F("cuDriverGetVersion");
        _deviceGetCount = (delegate* unmanaged<int*, int>)F("cuDeviceGetCount");
        _deviceGet = (delegate* unmanaged<int*, int, int>)F("cuDeviceGet");
        _deviceGetName = (delegate* unmanaged<byte*, int, int, int>)F("cuDeviceGetName");
        _deviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)F("cuDeviceGetAttribute");
        _deviceTotalMem = (delegate* unmanaged<nuint*, int, int>)F("cuDeviceTotalMem_v2");
        _primaryCtxRetain = (delegate* unmanaged<nint*, int, int>)F("cuDevicePrimaryCtxRetain");
        _primaryCtxRelease = (delegate* unmanaged<int, int>)F("cuDevicePrimaryCtxRelease_v2");
        _ctxSetCurrent = (delegate* unmanaged<nint, int>)F("cuCtxSetCurrent");
        _memGetInfo = (delegate* unmanaged<nuint*, nuint*, int>)F("cuMemGetInfo_v2");
        _memAlloc = (delegate* unmanaged<ulong*, nuint, int>)F("cuMemAlloc_v2");
        _memFree = (delegate* unmanaged<ulong, int>)F("cuMemFree_v2");
        _memcpyHtoDAsync = (delegate* unmanaged<ulong, void*, nuint, nint, int>)F("cuMemcpyHtoDAsync_v2");
        _memcpyDtoHAsync = (delegate* unmanaged<void*, ulong, nuint, nint, int>)F("cuMemcpyDtoHAsync_v2");
        _memcpyDtoDAsync = (delegate* unmanaged<ulong, ulong, nuint, nint, int>)F("cuMemcpyDtoDAsync_v2");
        _memsetD8Async = (delegate* unmanaged<ulong, byte, nuint, nint, int>)F("cuMemsetD8Async");
        _streamCreate = (delegate* unmanaged<nint*, uint, int>)F("cuStreamCreate");
        _streamSynchronize = (delegate* unmanaged<nint, int>)F("cuStreamSynchronize");
        _streamDestroy = (delegate* unmanaged<nint, int>)F("cuStreamDestroy_v2");
        _eventCreate = (delegate* unmanaged<nint*, uint, int>)F("cuEventCreate");
        _eventRecord = (delegate* unmanaged<nint, nint, int>)F("cuEventRecord");
        _eventSynchronize = (delegate* unmanaged<nint, int>)F("cuEventSynchronize");
        _eventElapsedTime = (delegate* unmanaged<float*, nint, nint, int>)F("cuEventElapsedTime");
        _eventDestroy = (delegate* unmanaged<nint, int>)F("cuEventDestroy_v2");
        _moduleLoadData = (delegate* unmanaged<nint*, void*, int>)F("cuModuleLoadData");
        _moduleUnload = (delegate* unmanaged<nint, int>)F("cuModuleUnload");
        _moduleGetFunction = (delegate* unmanaged<nint*, nint, byte*, int>)F("cuModuleGetFunction");
        _funcSetAttribute = (delegate* unmanaged<nint, int, int, int>)F("cuFuncSetAttribute");
        _funcGetAttribute = (delegate* unmanaged<int*, int, nint, int>)F("cuFuncGetAttribute");
        _launchKernel = (delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)F("cuLaunchKernel");
        _streamBeginCapture = (delegate* unmanaged<nint, int, int>)F("cuStreamBeginCapture_v2");
        _streamEndCapture = (delegate* unmanaged<nint, nint*, int>)F("cuStreamEndCapture");
        _graphInstantiateWithFlags = (delegate* unmanaged<nint*, nint, ulong, int>)F("cuGraphInstantiateWithFlags");
        _graphLaunch = (delegate* unmanaged<nint, nint, int>)F("cuGraphLaunch");
        _graphExecDestroy = (delegate* unmanaged<nint, int>)F("cuGraphExecDestroy");
        _graphDestroy = (delegate* unmanaged<nint, int>)F("cuGraphDestroy");
    }

    /// <summary>The process-wide driver after a successful cuInit, or why there is none; never throws.</summary>
    public static (CudaDriverApi? Api, string? Reason) Shared => SharedInstance.Value;

    /// <summary>The library path or name that loaded.</summary>
    public string LoadedFrom { get; }

    /// <summary>Loads the driver from the first candidate and calls cuInit(0); every failure becomes the reason.</summary>
    public static (CudaDriverApi? Api, string? Reason) Load(IEnumerable<string> candidates)
    {
        var library = NativeLibraryProbe.TryLoadFirst(candidates, out var tried);
        if (library is null)
            return (null, $"the NVIDIA driver library could not be loaded (tried {string.Join(", ", tried)}): install the NVIDIA driver (it provides {LibraryName}), e.g. apt-get install nvidia-driver, or run on a machine with an NVIDIA GPU");
        try
        {
            var api = new CudaDriverApi(library);
            int status = api._init(0);
            if (status != CuResult.Success)
                return (null, status == CuResult.NoDevice
                    ? $"{library.LoadedAs} loaded but cuInit reports no CUDA-capable device ({api.ErrorName(status)})"
                    : $"{library.LoadedAs} loaded but cuInit failed: {api.ErrorName(status)} ({api.ErrorText(status)}); check the driver installation and that the device nodes /dev/nvidia* are accessible");
            return (api, null);
        }
        catch (EntryPointNotFoundException e)
        {
            return (null, $"{library.LoadedAs} is too old for Pixelfly: {e.Message}; install a driver for CUDA 11.4 or newer");
        }
    }

    /// <summary>The symbolic name of a CUresult, e.g. CUDA_ERROR_OUT_OF_MEMORY.</summary>
    public string ErrorName(int status)
    {
        byte* text = null;
        return _getErrorName(status, &text) == CuResult.Success ? NativeStrings.Read(text) ?? $"CUresult {status}" : $"CUresult {status}";
    }

    /// <summary>The driver's description of a CUresult.</summary>
    public string ErrorText(int status)
    {
        byte* text = null;
        return _getErrorString(status, &text) == CuResult.Success ? NativeStrings.Read(text) ?? "unknown error" : "unknown error";
    }

    /// <summary>Throws <see cref="CudaException"/> for a failed call.</summary>
    public void Check(int status, string call, string? detail = null)
    {
        if (status != CuResult.Success) throw new CudaException(call, status, ErrorName(status), ErrorText(status), detail);
    }
}
