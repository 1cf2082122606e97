using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Devices;

/// <summary>Host-side conveniences over the device contract.</summary>
public static class DeviceExtensions
{
    /// <summary>Allocates a device tensor holding a copy of a host tensor.</summary>
    public static IDeviceTensor Upload(this IDevice device, HostTensor tensor)
    {
        var t = device.Allocate(tensor.Type);
        t.Upload(tensor.Data);
        return t;
    }

    /// <summary>Copies a device tensor to the host.</summary>
    public static HostTensor Download(this IDeviceTensor tensor)
    {
        var host = new HostTensor(tensor.Type);
        tensor.Download(host.Data);
        return host;
    }

    /// <summary>
    /// Compiles and runs a graph once on host data: uploads every bound value, runs, downloads every output.
    /// </summary>
    public static Dictionary<string, HostTensor> RunOnce(this IDevice device, Graph graph, IReadOnlyDictionary<string, HostTensor> inputs)
    {
        using var exe = device.Compile(graph);
        return exe.RunOnHost(inputs);
    }

    /// <summary>Runs a compiled graph on host data (donated inputs are copied, the host tensors stay unchanged).</summary>
    public static Dictionary<string, HostTensor> RunOnHost(this IExecutable exe, IReadOnlyDictionary<string, HostTensor> inputs)
    {
        var device = new List<IDeviceTensor>();
        try
        {
            var bound = new Dictionary<string, IDeviceTensor>();
            foreach (var v in exe.Graph.Bindable)
            {
                if (!inputs.TryGetValue(v.Name, out var host))
                    throw new BindingException($"no data for {v.Kind.ToString().ToLowerInvariant()} '{v.Name}' {v.Type}");
                if (host.Type != v.Type)
                    throw new BindingException($"'{v.Name}' is declared {v.Type} but the data is {host.Type}");
                var t = exe.DeviceOf().Upload(host);
                device.Add(t);
                bound[v.Name] = t;
            }
            var outputs = new Dictionary<string, IDeviceTensor>();
            foreach (var o in exe.Graph.Outputs)
            {
                if (o.Donates is not null) { outputs[o.Name] = bound[o.Donates]; continue; }
                var t = exe.DeviceOf().Allocate(exe.Graph.Values[o.Value].Type);
                device.Add(t);
                outputs[o.Name] = t;
            }
            exe.Run(bound, outputs);
            return outputs.ToDictionary(kv => kv.Key, kv => kv.Value.Download());
        }
        finally
        {
            foreach (var t in device) t.Dispose();
        }
    }

    /// <summary>The device an executable belongs to.</summary>
    public static IDevice DeviceOf(this IExecutable exe) =>
        exe is IDeviceBound bound ? bound.Device : throw new InvalidOperationException($"{exe.GetType().Name} does not expose its device");
}

/// <summary>Implemented by executables so host helpers can allocate on their device.</summary>
public interface IDeviceBound
{
    /// <summary>The owning device.</summary>
    IDevice Device { get; }
}
