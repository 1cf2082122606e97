using System.Runtime.InteropServices;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Tests;

internal static class TestSupport
{
    /// <summary>Uploads inputs, runs once, downloads every output.</summary>
    public static Dictionary<string, HostTensor> Run(IExecutable exe, IDevice device, Dictionary<string, HostTensor> inputs)
    {
        var tensors = new List<IDeviceTensor>();
        try
        {
            var bound = new Dictionary<string, IDeviceTensor>();
            foreach (var v in exe.Graph.Bindable)
            {
                var t = device.Allocate(v.Type);
                tensors.Add(t);
                t.Upload(inputs[v.Name].Data);
                bound[v.Name] = t;
            }
            var outputs = new Dictionary<string, IDeviceTensor>();
            foreach (var o in exe.Graph.Outputs)
            {
                if (o.Donates is not null) { outputs[o.Name] = bound[o.Donates]; continue; }
                var t = device.Allocate(exe.Graph.Values[o.Value].Type);
                tensors.Add(t);
                outputs[o.Name] = t;
            }
            exe.Run(bound, outputs);
            var result = new Dictionary<string, HostTensor>();
            foreach (var (name, t) in outputs)
            {
                var h = new HostTensor(t.Type);
                t.Download(h.Data);
                result[name] = h;
            }
            return result;
        }
        finally
        {
            foreach (var t in tensors) t.Dispose();
        }
    }

    public static HostTensor Floats(float[] values, params int[] dims) => HostTensor.FromFloats(values, dims);

    public static float[] Sequence(int n, Func<int, float> f) => Enumerable.Range(0, n).Select(f).ToArray();

    public static float[] AsFloats(HostTensor t) => MemoryMarshal.Cast<byte, float>(t.Data).ToArray();

    public static HostTensor RandomTensor(int seed, params int[] dims)
    {
        var rng = new Random(seed);
        int n = dims.Aggregate(1, (a, b) => a * b);
        return HostTensor.FromFloats(Sequence(n, _ => (float)(rng.NextDouble() * 2 - 1)), dims);
    }
}
