using Pixelfly.Tensors;

namespace Pixelfly.Devices;

/// <summary>The argument checks a GPU backend's <see cref="IDevice.Allocate"/> starts with, worded the same on every backend.</summary>
public static class AllocationCheck
{
    /// <summary>
    /// Throws on a null <paramref name="type"/>, negative <paramref name="guardBytes"/>, a disposed
    /// <paramref name="device"/>, or an f64 type (which <paramref name="backend"/> does not hold).
    /// </summary>
    public static void Validate(TensorType type, int guardBytes, IDevice device, bool deviceDisposed, string backend)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentOutOfRangeException.ThrowIfNegative(guardBytes);
        ObjectDisposedException.ThrowIf(deviceDisposed, device);
        if (type.DType == DType.F64)
            throw new NotSupportedException($"tensor {type}: the {backend} backend does not hold f64 tensors (use the reference backend)");
    }
}
