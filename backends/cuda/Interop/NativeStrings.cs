using System.Runtime.InteropServices;

namespace Pixelfly.Backends.Cuda.Interop;

/// <summary>
/// NUL-terminated UTF-8 copies of managed strings in native memory, and the array of pointers to them, as NVRTC's
/// <c>const char**</c> parameters want; freed on dispose.
/// </summary>
internal sealed unsafe class NativeStrings : IDisposable
{
    private readonly nint[] _strings;
    private nint _array;

    public NativeStrings(IReadOnlyList<string> values)
    {
        _strings = new nint[values.Count];
        _array = Marshal.AllocHGlobal(Math.Max(1, values.Count) * sizeof(nint));
        try
        {
            for (int i = 0; i < values.Count; i++)
            {
                _strings[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
                ((nint*)_array)[i] = _strings[i];
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The <c>const char**</c> (valid until dispose).</summary>
    public byte** Pointers => (byte**)_array;

    public int Count => _strings.Length;

    public void Dispose()
    {
        foreach (var s in _strings)
            if (s != 0) Marshal.FreeCoTaskMem(s);
        Array.Clear(_strings);
        if (_array != 0) Marshal.FreeHGlobal(_array);
        _array = 0;
    }

    /// <summary>Reads a NUL-terminated UTF-8 string a library returned (null pointer → null).</summary>
    public static string? Read(byte* text) => text == null ? null : Marshal.PtrToStringUTF8((nint)text);
}
