using System.Runtime.InteropServices;
using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Backends.Cuda.Planning;
using Pixelfly.Backends.Cuda.Runtime;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda;

/// <summary>
/// A graph compiled for a CUDA device: a memory plan over one arena, the kernel launches of every node (modules
/// compiled by NVRTC and loaded at compile time), a constant region with the graph's constants and the lowering's
/// tables, and the output exports. Each run zeroes the status words, replays the launches on the device's stream —
/// as a CUDA graph captured once per set of bound tensor addresses (re-captured when they change, the last few kept)
/// — synchronises, and turns a status word a kernel set into an <see cref="ExecutionException"/>. Runs of one
/// executable are serialised (they share the arena).
/// </summary>
public sealed unsafe partial class CudaExecutable : IDeviceTimedExecutable, IDeviceBound
{
    private const int MaxGraphs = 4;
    private const int StatusWords = 4;

    private readonly CudaDevice _device;
    private readonly CudaProgram _program;
    private readonly BindingSlots _slots;
    private readonly LoadedFunction?[] _functions;
    private readonly DeviceBlock? _arena;
    private readonly DeviceBlock? _constants;
    private readonly DeviceBlock? _scratch;
    private readonly DeviceBlock _status;
    private readonly nint _start;
    private readonly nint _stop;
    private readonly bool _useGraphs;
    private readonly bool _syncEachStep;
    private readonly List<(ulong[] Key, nint Exec)> _graphs = [];
    private readonly object _gate = new();
    private bool _disposed;

    internal CudaExecutable(CudaDevice device, Graph graph, ICudaLowering lowering)
    {
        _device = device;
        Graph = graph;
        GraphSupportCheck.Validate(graph, device, "the cuda backend does not hold f64 tensors (use the reference backend)", lowering.Supports);
        _slots = new BindingSlots(graph);
        var plan = CudaMemoryPlanner.Plan(graph, _slots.InputSlot, _slots.OutputSlot);
        _program = CudaProgramBuilder.Build(graph, lowering, device.Limits, plan, _slots.OutputSlot);
        _syncEachStep = device.Options.IsEnabled(CudaFeatures.Sync);
        _useGraphs = !device.Options.IsDisabled(CudaFeatures.Graphs) && !_syncEachStep;

        var context = device.Context;
        var allocator = device.Allocator;
        device.Modules.Prepare(_program.Variants);
        lock (context.Gate)
        {
            context.Enter();
            var blocks = new List<DeviceBlock>();
            try
            {
                // Compiles (or loads from the disk cache) every variant now, so a run never waits on NVRTC.
                _functions = _program.Steps.Select(s => s is LaunchStep l ? device.Modules.Function(l.Launch.Variant, l.Launch.Function, l.Launch.DynamicSharedBytes) : null).ToArray();
                DeviceBlock? Take(long bytes, string what)
                {
                    if (bytes == 0) return null;
                    var b = allocator.Allocate(bytes, what);
                    blocks.Add(b);
                    return b;
                }
                _arena = Take(plan.ArenaSize, "the arena of intermediate values");
                _constants = Take(_program.ConstantPool.Length, "the constants and tables");
                _scratch = Take(_program.ScratchBytes, "the scratch buffer");
                _status = Take(StatusWords * sizeof(int), "the status words")!.Value;
                if (_constants is { } c)
                    fixed (byte* p = _program.ConstantPool)
                        context.Api.CopyHostToDevice(c.Pointer, p, _program.ConstantPool.Length, context.Stream);
                context.Api.Synchronize(context.Stream);
                _start = context.Api.CreateEvent();
                try
                {
                    _stop = context.Api.CreateEvent();
                }
                catch
                {
                    context.Api.DestroyEvent(_start);
                    throw;
                }
            }
            catch
            {
                foreach (var b in blocks) allocator.Free(b);
                throw;
            }
        }
    }

    /// <inheritdoc/>
    public Graph Graph { get; }

    /// <summary>The device the executable runs on.</summary>
    public CudaDevice Device => _device;

    IDevice IDeviceBound.Device => _device;

    /// <inheritdoc/>
    public double? LastRunDeviceMilliseconds { get; private set; }

    /// <summary>Kernel launches one run makes.</summary>
    public int LaunchCount => _program.LaunchCount;

    /// <summary>Device-to-device copies one run makes (output exports).</summary>
    public int CopyCount => _program.CopyCount;

    /// <summary>CUDA graphs captured and still cached (one per distinct set of bound tensors; 0 with cuda.graphs disabled).</summary>
    public int GraphCount
    {
        get { lock (_gate) return _graphs.Count; }
    }

    internal CudaProgram Program => _program;

    /// <inheritdoc/>
    public void Run(IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ObjectDisposedException.ThrowIf(_device.IsDisposed, _device);
        BindingCheck.Validate(Graph, inputs, outputs);
        // Every slot is filled (donating outputs too), so the addresses are a complete key for the captured graphs.
        var bound = _slots.Bind(inputs, outputs, (tensor, role) => Own(tensor, role).DataPointer);
        var status = stackalloc int[StatusWords];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var context = _device.Context;
            var api = context.Api;
            lock (context.Gate)
            {
                context.Enter();
                api.Fill(_status.Pointer, 0, StatusWords * sizeof(int), context.Stream);
                api.Record(_start, context.Stream);
                if (_useGraphs && _program.Steps.Count > 0) api.LaunchGraph(GraphFor(bound), context.Stream);
                else Enqueue(bound);
                api.Record(_stop, context.Stream);
                api.CopyDeviceToHost(status, _status.Pointer, StatusWords * sizeof(int), context.Stream);
                api.Synchronize(context.Stream);
                LastRunDeviceMilliseconds = api.ElapsedMilliseconds(_start, _stop);
            }
        }
        // The status words: see LaunchArg.
        KernelStatusCheck.ThrowIfBad(Graph, new ReadOnlySpan<int>(status, StatusWords), "a kernel");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _device.Untrack(this);
            if (_device.IsDisposed) return;
            var context = _device.Context;
            lock (context.Gate)
            {
                try
                {
                    context.Enter();
                    foreach (var (_, exec) in _graphs) context.Api.DestroyGraphExec(exec);
                    context.Api.DestroyEvent(_start);
                    context.Api.DestroyEvent(_stop);
                }
                catch (Interop.CudaException)
                {
                    // The context failed earlier (a sticky launch error); the memory below is still returned.
                }
                _graphs.Clear();
                foreach (var b in new[] { _arena, _constants, _scratch, _status })
                    if (b is { } block) _device.Allocator.Free(block);
            }
        }
    }

    private CudaTensor Own(IDeviceTensor tensor, string role) =>
        BindingCheck.OwnedTensor<CudaTensor>(tensor, _device, role, t => t.Device, t => t.IsDisposed);

    // The captured graph for these tensor addresses: most recently used first, at most MaxGraphs kept.
    private nint GraphFor(ulong[] bound)
    {
        int found = _graphs.FindIndex(g => g.Key.AsSpan().SequenceEqual(bound));
        if (found >= 0)
        {
            var hit = _graphs[found];
            _graphs.RemoveAt(found);
            _graphs.Insert(0, hit);
            return hit.Exec;
        }
        var api = _device.Context.Api;
        var stream = _device.Context.Stream;
        nint graph;
        api.BeginCapture(stream);
        try
        {
            Enqueue(bound);
            graph = api.EndCapture(stream);
        }
        catch
        {
            api.AbandonCapture(stream);
            throw;
        }
        nint exec;
        try
        {
            exec = api.Instantiate(graph);
        }
        finally
        {
            api.DestroyGraph(graph);
        }
        _graphs.Insert(0, ((ulong[])bound.Clone(), exec));
        if (_graphs.Count > MaxGraphs)
        {
            api.DestroyGraphExec(_graphs[^1].Exec);
            _graphs.RemoveAt(_graphs.Count - 1);
        }
        return exec;
    }

    // Every step on the stream, in order (captured into a graph, or run directly).
    private void Enqueue(ulong[] bound)
    {
        var api = _device.Context.Api;
        var stream = _device.Context.Stream;
        for (int i = 0; i < _program.Steps.Count; i++)
        {
            var step = _program.Steps[i];
            switch (step)
            {
                case LaunchStep l:
                    LaunchOne(l, _functions[i]!, bound, stream);
                    break;
                case CopyStep c:
                    api.CopyDeviceToDevice(Address(c.To, bound), Address(c.From, bound), c.Bytes, stream);
                    break;
            }
            if (_syncEachStep) SynchronizeStep(step, i);
        }
    }

    // cuda.sync: wait for this step alone, so a fault names it.
    private void SynchronizeStep(ProgramStep step, int index)
    {
        try
        {
            _device.Context.Api.Synchronize(_device.Context.Stream);
        }
        catch (Interop.CudaException e)
        {
            throw new Interop.CudaException(e.Call, e.Code, e.ErrorName, e.Description,
                $"step {index} of {_program.Steps.Count}: {step.Label}{(step is LaunchStep l ? $" ({l.Launch.Variant.Key} {l.Launch.Function})" : "")}");
        }
    }

    // cuLaunchKernel takes an array of pointers to each argument's value; each value gets an 8-byte cell (every
    // argument is at most 8 bytes). The driver copies the values at the call (and into the graph node when capturing).
    private void LaunchOne(LaunchStep step, LoadedFunction function, ulong[] bound, nint stream)
    {
        int n = step.Args.Length;
        var cells = (ulong*)NativeMemory.AllocZeroed((nuint)Math.Max(1, n), sizeof(ulong));
        var pointers = (void**)NativeMemory.Alloc((nuint)Math.Max(1, n), (nuint)sizeof(void*));
        try
        {
            for (int a = 0; a < n; a++)
            {
                var arg = step.Args[a];
                void* cell = cells + a;
                switch (arg.Kind)
                {
                    case LaunchArgKind.Int32: *(int*)cell = checked((int)arg.Integer); break;
                    case LaunchArgKind.Int64: *(long*)cell = arg.Integer; break;
                    case LaunchArgKind.Float32: *(float*)cell = arg.Real; break;
                    default: *(ulong*)cell = Address(arg.Address, bound); break;
                }
                pointers[a] = cell;
            }
            var l = step.Launch;
            _device.Context.Api.Launch(function.Handle, l.Grid, l.Block, l.DynamicSharedBytes, stream, pointers, l.Label);
        }
        finally
        {
            NativeMemory.Free(pointers);
            NativeMemory.Free(cells);
        }
    }

    private ulong Address(DeviceAddress a, ulong[] bound)
    {
        ulong baseAddress = a.Region switch
        {
            Region.Bound => bound[a.Slot],
            Region.Arena => _arena!.Value.Pointer,
            Region.Constants => _constants!.Value.Pointer,
            Region.Scratch => _scratch!.Value.Pointer,
            _ => _status.Pointer,
        };
        return baseAddress + (ulong)a.Offset;
    }
}
