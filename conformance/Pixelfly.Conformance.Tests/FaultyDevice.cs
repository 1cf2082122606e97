using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance.Tests;

/// <summary>What a <see cref="FaultyDevice"/> gets wrong.</summary>
internal enum Fault
{
    None,
    CorruptOneElement,
    LeaveOneUnwritten,
    WriteIntoGuard,
    ReturnNaN,
    ModifyInput,
    ThrowOnRun,
    DriftLossFromStep3,
    ReportDiagnostic,
}

/// <summary>
/// A deliberately broken device: it computes with the reference (through host copies, so it owns its own guarded
/// tensors) and then damages the result in one specific way; it can also refuse ops by name.
/// </summary>
internal sealed class FaultyDevice(IDevice inner, Fault fault, params string[] unsupportedOps) : IDevice, IDeviceDiagnostics
{
    private readonly List<string> _diagnostics = [];

    /// <summary>Messages a run reported (with <see cref="Fault.ReportDiagnostic"/>, one per run).</summary>
    public IReadOnlyList<string> TakeDiagnostics()
    {
        var taken = _diagnostics.ToArray();
        _diagnostics.Clear();
        return taken;
    }

    /// <summary>Index of the element the faults touch.</summary>
    public const int Element = 5;

    public DeviceInfo Info { get; } = inner.Info with { Id = "faulty", Backend = "faulty", Name = $"faulty ({fault})" };

    public Support Supports(Op op, IReadOnlyList<TensorType> inputTypes) =>
        unsupportedOps.Contains(op.Name) ? Support.No($"the faulty device refuses '{op.Name}'") : inner.Supports(op, inputTypes);

    public IDeviceTensor Allocate(TensorType type, int guardBytes = 0) => new HostMemoryTensor(type, guardBytes);

    public IExecutable Compile(Graph graph) => new Executable(this, inner.Compile(graph), fault);

    public void Dispose() { }

    private sealed class Executable(FaultyDevice device, IExecutable inner, Fault fault) : IExecutable, IDeviceBound
    {
        private int _runs;

        public Graph Graph => inner.Graph;

        public IDevice Device => device;

        public string Describe() => "faulty: " + inner.Describe();

        public void Run(IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs)
        {
            BindingCheck.Validate(Graph, inputs, outputs);
            _runs++;
            if (fault == Fault.ThrowOnRun) throw new InvalidOperationException("the faulty kernel crashed");
            if (fault == Fault.ReportDiagnostic) device._diagnostics.Add("VUID-faulty-00001: a fake validation error");
            var first = Graph.Outputs.First(o => o.Donates is null);
            var before = outputs[first.Name].Download();
            var results = inner.RunOnHost(inputs.ToDictionary(kv => kv.Key, kv => kv.Value.Download()));
            foreach (var (name, t) in outputs) t.Upload(results[name].Data);

            var target = (HostMemoryTensor)outputs[first.Name];
            int size = target.Type.DType.SizeOf();
            switch (fault)
            {
                case Fault.CorruptOneElement:
                    SetElement(target, Element, v => v + 1 + Math.Abs(v)); // never equal to v
                    break;
                case Fault.LeaveOneUnwritten:
                    before.Data.AsSpan(Element * size, size).CopyTo(target.Bytes[(Element * size)..]);
                    break;
                case Fault.WriteIntoGuard:
                    var (array, offset) = target.Storage;
                    array[offset + (int)target.Type.ByteCount] ^= 0xFF;
                    break;
                case Fault.ReturnNaN:
                    SetElement(target, Element, _ => double.NaN);
                    break;
                case Fault.ModifyInput:
                    var input = (HostMemoryTensor)inputs[Graph.Inputs.First(v => v.Type.DType.IsFloat()).Name];
                    SetElement(input, 0, v => v + 1);
                    break;
                case Fault.DriftLossFromStep3 when _runs >= 3:
                    SetElement((HostMemoryTensor)outputs["loss"], 0, v => v * 1.01);
                    break;
            }
        }

        public void Dispose() => inner.Dispose();

        private static void SetElement(HostMemoryTensor t, int index, Func<double, double> change)
        {
            var host = t.Download();
            var values = host.ToDoubles();
            values[index] = change(values[index]);
            host.SetFromDoubles(values);
            t.Upload(host.Data);
        }
    }
}
