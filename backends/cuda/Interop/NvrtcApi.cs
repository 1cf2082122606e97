namespace Pixelfly.Backends.Cuda.Interop;

/// <summary>What one NVRTC compilation produced: success, the full log, and the binary (cubin or NUL-terminated PTX).</summary>
internal sealed record NvrtcOutput(bool Succeeded, string Log, byte[]? Image);

/// <summary>
/// NVRTC, the CUDA run-time compiler, through function pointers resolved from whichever libnvrtc
/// <see cref="NvrtcLocator"/> finds. Loading never throws: <see cref="Load"/> returns the reason instead. Every call's
/// status is checked (<see cref="CudaException"/> naming the call); a failed compilation is not an exception here but
/// an <see cref="NvrtcOutput"/> with the log, which the compiler turns into a message with the variant key.
/// NVRTC is pure host code: nothing here needs a GPU or libcuda.
/// </summary>
internal sealed unsafe class NvrtcApi
{
    private const int Success = 0;
    private const int CompilationError = 6; // NVRTC_ERROR_COMPILATION: the source is bad, the log says why.

    private static readonly Lazy<(NvrtcApi? Api, string? Reason)> SharedInstance = new(() => Load(NvrtcLocator.Candidates()));

    private readonly delegate* unmanaged<int, byte*> _getErrorString;
    private readonly delegate* unmanaged<int*, int*, int> _version;
    private readonly delegate* unmanaged<int*, int> _getNumSupportedArchs;
    private readonly delegate* unmanaged<int*, int> _getSupportedArchs;
    private readonly delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int> _createProgram;
    private readonly delegate* unmanaged<nint, int, byte**, int> _compileProgram;
    private readonly delegate* unmanaged<nint, nuint*, int> _getProgramLogSize;
    private readonly delegate* unmanaged<nint, byte*, int> _getProgramLog;
    private readonly delegate* unmanaged<nint, nuint*, int> _getPtxSize;
    private readonly delegate* unmanaged<nint, byte*, int> _getPtx;
    private readonly delegate* unmanaged<nint, nuint*, int> _getCubinSize;
    private readonly delegate* unmanaged<nint, byte*, int> _getCubin;
    private readonly delegate* unmanaged<nint*, int> _destroyProgram;

    private NvrtcApi(LoadedLibrary library)
    {
        LoadedFrom = library.LoadedAs;
        _getErrorString = (delegate* unmanaged<int, byte*>)NativeLibraryProbe.Export(library, "nvrtcGetErrorString");
        _version = (delegate* unmanaged<int*, int*, int>)NativeLibraryProbe.Export(library, "nvrtcVersion");
        _createProgram = (delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int>)NativeLibraryProbe.Export(library, "nvrtcCreateProgram");
        _compileProgram = (delegate* unmanaged<nint, int, byte**, int>)NativeLibraryProbe.Export(library, "nvrtcCompileProgram");
        _getProgramLogSize = (delegate* unmanaged<nint, nuint*, int>)NativeLibraryProbe.Export(library, "nvrtcGetProgramLogSize");
        _getProgramLog = (delegate* unmanaged<nint, byte*, int>)NativeLibraryProbe.Export(library, "nvrtcGetProgramLog");
        _getPtxSize = (delegate* unmanaged<nint, nuint*, int>)NativeLibraryProbe.Export(library, "nvrtcGetPTXSize");
        _getPtx = (delegate* unmanaged<nint, byte*, int>)NativeLibraryProbe.Export(library, "nvrtcGetPTX");
        _getCubinSize = (delegate* unmanaged<nint, nuint*, int>)NativeLibraryProbe.Export(library, "nvrtcGetCUBINSize");
        _getCubin = (delegate* unmanaged<nint, byte*, int>)NativeLibraryProbe.Export(library, "nvrtcGetCUBIN");
        _destroyProgram = (delegate* unmanaged<nint*, int>)NativeLibraryProbe.Export(library, "nvrtcDestroyProgram");
        // NVRTC 11.2+: the list of real architectures it can emit cubin for.
        if (System.Runtime.InteropServices.NativeLibrary.TryGetExport(library.Handle, "nvrtcGetNumSupportedArchs", out var num)
            && System.Runtime.InteropServices.NativeLibrary.TryGetExport(library.Handle, "nvrtcGetSupportedArchs", out var archs))
        {
            _getNumSupportedArchs = (delegate* unmanaged<int*, int>)num;
            _getSupportedArchs = (delegate* unmanaged<int*, int>)archs;
        }
        int major, minor;
        Check(_version(&major, &minor), "nvrtcVersion");
        Version = new Version(major, minor);
        SupportedArchitectures = QuerySupportedArchitectures();
    }

    /// <summary>The process-wide NVRTC, or the reason it is unavailable (which names were tried, what to install).</summary>
    public static (NvrtcApi? Api, string? Reason) Shared => SharedInstance.Value;

    /// <summary>The process-wide NVRTC; throws <see cref="Pixelfly.Devices.DeviceUnavailableException"/> with the reason when absent.</summary>
    public static NvrtcApi Require() =>
        Shared.Api ?? throw new Pixelfly.Devices.DeviceUnavailableException($"NVRTC is not available: {Shared.Reason}");

    /// <summary>The library name or path that loaded.</summary>
    public string LoadedFrom { get; }

    /// <summary>NVRTC's version (the CUDA toolkit's major.minor).</summary>
    public Version Version { get; }

    /// <summary>The real architectures (80, 90, ...) NVRTC can emit cubin for; empty when this NVRTC cannot say.</summary>
    public IReadOnlyList<int> SupportedArchitectures { get; }

    /// <summary>Loads the first candidate that is a working NVRTC; never throws.</summary>
    public static (NvrtcApi? Api, string? Reason) Load(IEnumerable<string> candidates)
    {
        var library = NativeLibraryProbe.TryLoadFirst(candidates, out var tried);
        if (library is null)
            return (null, $"no libnvrtc could be loaded (tried {string.Join(", ", tried)}); {NvrtcLocator.InstallHint}");
        try
        {
            NvrtcLocator.PreloadBuiltins(library.LoadedAs);
            return (new NvrtcApi(library), null);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or CudaException)
        {
            return (null, $"{library.LoadedAs} loaded but is unusable: {e.Message}; {NvrtcLocator.InstallHint}");
        }
    }

    /// <summary>
    /// Compiles one program. Headers are (include name, text) pairs NVRTC resolves <c>#include "name"</c> against.
    /// Returns the log and, on success, the cubin (<paramref name="cubin"/>) or the PTX text including its NUL.
    /// </summary>
    public NvrtcOutput Compile(string source, string programName, IReadOnlyList<(string Name, string Text)> headers, IReadOnlyList<string> options, bool cubin)
    {
        using var src = new NativeStrings([source, programName]);
        using var headerTexts = new NativeStrings(headers.Select(h => h.Text).ToArray());
        using var headerNames = new NativeStrings(headers.Select(h => h.Name).ToArray());
        using var opts = new NativeStrings(options);
        nint program = 0;
        Check(_createProgram(&program, src.Pointers[0], src.Pointers[1], headers.Count, headerTexts.Pointers, headerNames.Pointers), "nvrtcCreateProgram");
        try
        {
            int status = _compileProgram(program, opts.Count, opts.Pointers);
            string log = ReadLog(program);
            if (status == CompilationError) return new NvrtcOutput(false, log, null);
            Check(status, "nvrtcCompileProgram", log);
            return new NvrtcOutput(true, log, cubin ? ReadCubin(program) : ReadPtx(program));
        }
        finally
        {
            _destroyProgram(&program);
        }
    }

    private string ReadLog(nint program)
    {
        nuint size;
        Check(_getProgramLogSize(program, &size), "nvrtcGetProgramLogSize");
        if (size <= 1) return "";
        var buffer = new byte[(int)size];
        fixed (byte* p = buffer) Check(_getProgramLog(program, p), "nvrtcGetProgramLog");
        return System.Text.Encoding.UTF8.GetString(buffer, 0, Array.IndexOf(buffer, (byte)0) is var nul and >= 0 ? nul : buffer.Length).Trim();
    }

    private byte[] ReadPtx(nint program)
    {
        nuint size;
        Check(_getPtxSize(program, &size), "nvrtcGetPTXSize");
        var buffer = new byte[(int)size];
        fixed (byte* p = buffer) Check(_getPtx(program, p), "nvrtcGetPTX");
        return buffer;
    }

    private byte[] ReadCubin(nint program)
    {
        nuint size;
        Check(_getCubinSize(program, &size), "nvrtcGetCUBINSize");
        if (size == 0)
            throw new CudaException("nvrtcGetCUBIN", -1, "NVRTC_NO_CUBIN", "the compilation produced no cubin (was -arch a virtual compute_XX architecture?)");
        var buffer = new byte[(int)size];
        fixed (byte* p = buffer) Check(_getCubin(program, p), "nvrtcGetCUBIN");
        return buffer;
    }

    private int[] QuerySupportedArchitectures()
    {
        if (_getNumSupportedArchs == null) return [];
        int count;
        Check(_getNumSupportedArchs(&count), "nvrtcGetNumSupportedArchs");
        var archs = new int[count];
        fixed (int* p = archs)
            if (count > 0) Check(_getSupportedArchs(p), "nvrtcGetSupportedArchs");
        return archs;
    }

    private void Check(int status, string call, string? detail = null)
    {
        if (status == Success) return;
        string name = NativeStrings.Read(_getErrorString(status)) ?? $"nvrtcResult {status}";
        throw new CudaException(call, status, name, "NVRTC error", string.IsNullOrEmpty(detail) ? null : detail);
    }
}
