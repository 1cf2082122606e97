using System.Text;
using Pixelfly.Backends.Cpu.Planning;
using Pixelfly.Backends.Cpu.Threading;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Kernels;

/// <summary>
/// A chain of element-wise nodes in one pass: each output row is walked in segments of <see cref="Segment"/>
/// elements, every member runs on the segment in node order, values internal to the group stay in per-worker
/// registers (L1-sized scratch) and only the values read outside the group are written. This turns, for example,
/// a Pixelfly layer's lerp and bias (four passes over the output, each reading and writing it) into one.
/// Chunking depends on the shape only, so results do not depend on the thread count.
/// </summary>
internal sealed unsafe class FusedElementwiseKernel : Kernel, IParallelWork
{
    /// <summary>Elements per register: small enough that a group's registers stay in L1.</summary>
    private const int Segment = 256;

    private readonly Step[] _steps;
    private readonly int[] _inputs;        // external input value ids, operand k of the broadcast plan
    private readonly int[] _outputs;       // member outputs written to memory
    private readonly int _registers;
    private readonly int _primarySlot = -1;   // register holding the head matmul's result, when this is an epilogue
    private readonly int _destination = -1;   // output the head's C tiles are written into
    private readonly BroadcastPlan _plan;
    private readonly RowChunking _chunks;
    private readonly bool _wide;
    private readonly string _description;
    private RunContext? _ctx;

    // Where a step's operand or result lives: external input k, register r, or written output o.
    private readonly record struct Ref(char Kind, int Index);

    private readonly record struct Step(Op Op, Ref[] Operands, Ref Result, bool CondIsInt);

    public FusedElementwiseKernel(FusedGroup group, Graph graph, bool[] internalValues, bool wide)
    {
        _wide = wide;
        var members = group.Members;
        var produced = new Dictionary<int, Ref>();
        if (group.Head is not null)
        {
            _primarySlot = _registers++;
            produced[group.Head.Outputs[0]] = new Ref('r', _primarySlot);
        }
        var inputs = new List<int>();
        var outputs = new List<int>();
        var steps = new List<Step>();
        foreach (var node in members)
        {
            var operands = node.Inputs.Select(v =>
            {
                if (produced.TryGetValue(v, out var r)) return r;
                int k = inputs.IndexOf(v);
                if (k < 0)
                {
                    inputs.Add(v);
                    k = inputs.Count - 1;
                }
                return new Ref('i', k);
            }).ToArray();
            int value = node.Outputs[0];
            Ref result;
            if (internalValues[value])
            {
                result = new Ref('r', _registers++);
            }
            else
            {
                outputs.Add(value);
                result = new Ref('o', outputs.Count - 1);
            }
            produced[value] = result;
            bool condIsInt = node.Op is WhereOp && graph.Values[node.Inputs[0]].Type.DType == DType.I32;
            steps.Add(new Step(node.Op, operands, result, condIsInt));
        }
        _steps = steps.ToArray();
        if (group.Head is not null)
        {
            _destination = outputs.IndexOf(group.Last.Outputs[0]);
            if (_destination < 0) throw new InvalidOperationException("a matmul epilogue needs its last member's output in memory");
        }
        _inputs = inputs.ToArray();
        _outputs = outputs.ToArray();
        _plan = BroadcastPlan.Create(group.Shape, inputs.Select(v => graph.Values[v].Type.Shape).ToArray());
        _chunks = new RowChunking(_plan.Rows, _plan.Inner);
        _description = Summarise(members, graph, internalValues);
    }

    public override long ScratchFloatsPerWorker => (long)_registers * Segment;

    /// <summary>The value the head matmul writes its C tiles into (the last member's output), when an epilogue.</summary>
    public int DestinationValue => _outputs[_destination];

    public override string Describe() => $"{(_primarySlot >= 0 ? "epilogue " : "")}{_description} {_plan} {_inputs.Length} in, {_outputs.Length} out, {_registers} register(s) ({_chunks}, {(_wide ? "v512" : "v256")})";

    public override void Execute(RunContext ctx)
    {
        if (_primarySlot >= 0) throw new InvalidOperationException("an epilogue group runs inside its matmul, not on its own");
        _ctx = ctx;
        ctx.Pool.Run(this, _chunks.Count);
        _ctx = null;
    }

    public void Execute(int chunk, int worker)
    {
        var (r0, r1, c0, c1) = _chunks.Range(chunk);
        float* registers = _ctx!.Scratch(worker);
        for (long r = r0; r < r1; r++) RunRow(_ctx, registers, r, c0, c1);
    }

    /// <summary>
    /// As the epilogue of the head matmul: runs the members on rows [row0, row0 + rows) and columns [col0, col0 +
    /// cols) of the output seen as a matrix <paramref name="width"/> wide, where the matmul has just written C.
    /// <paramref name="registers"/> is <see cref="Kernel.ScratchFloatsPerWorker"/> floats of the calling worker.
    /// </summary>
    public void ApplyTile(RunContext ctx, float* registers, long row0, int rows, int col0, int cols, int width)
    {
        for (long r = row0; r < row0 + rows; r++)
        {
            // The plan's rows are whole multiples of the matrix width (its last dim is never collapsed away).
            long start = r * width + col0;
            int c = (int)(start % _plan.Inner);
            RunRow(ctx, registers, start / _plan.Inner, c, c + cols);
        }
    }

    private void RunRow(RunContext ctx, float* registers, long row, int c0, int c1)
    {
        int inputCount = _inputs.Length, outputCount = _outputs.Length;
        float** inRow = stackalloc float*[inputCount];
        float** outRow = stackalloc float*[outputCount];
        for (int k = 0; k < inputCount; k++) inRow[k] = ctx.F(_inputs[k]) + _plan.RowOffset(k, row);
        for (int o = 0; o < outputCount; o++) outRow[o] = ctx.F(_outputs[o]) + row * _plan.Inner;
        for (int c = c0; c < c1; c += Segment)
        {
            int n = Math.Min(Segment, c1 - c);
            if (_primarySlot >= 0)
                Buffer.MemoryCopy(outRow[_destination] + c, registers + (long)_primarySlot * Segment, Segment * 4L, n * 4L);
            foreach (var step in _steps)
                Run(step, inRow, outRow, registers, c, n);
        }
    }

    private void Run(in Step step, float** inRow, float** outRow, float* registers, int c, int n)
    {
        float* y = Address(step.Result, inRow, outRow, registers, c, out _);
        switch (step.Op)
        {
            case UnaryOp u:
            {
                float* x = Address(step.Operands[0], inRow, outRow, registers, c, out int sx);
                if (sx == 0 && n > 1) throw new InvalidOperationException("fused unary operand is broadcast; the fusion plan should have excluded it");
                UnaryMath.Apply(u.Function, new ReadOnlySpan<float>(x, n), new Span<float>(y, n));
                break;
            }
            case BinaryOp b:
            {
                float* a = Address(step.Operands[0], inRow, outRow, registers, c, out int sa);
                float* bb = Address(step.Operands[1], inRow, outRow, registers, c, out int sb);
                BinaryKernel.ApplyRow(b.Function, a, sa, bb, sb, y, n, _wide);
                break;
            }
            case WhereOp:
            {
                float* cond = Address(step.Operands[0], inRow, outRow, registers, c, out int sc);
                float* a = Address(step.Operands[1], inRow, outRow, registers, c, out int sa);
                float* bb = Address(step.Operands[2], inRow, outRow, registers, c, out int sb);
                WhereKernel.ApplyRow(cond, sc, step.CondIsInt, a, sa, bb, sb, y, n);
                break;
            }
            default:
                throw new InvalidOperationException($"op {step.Op.Name} cannot run in a fused element-wise group");
        }
    }

    // The segment starting at column c of a reference, and its stride along the row (1, or 0 for a broadcast input).
    private float* Address(Ref r, float** inRow, float** outRow, float* registers, int c, out int stride)
    {
        switch (r.Kind)
        {
            case 'i':
                stride = _plan.InnerStrides[r.Index];
                return inRow[r.Index] + (long)c * stride;
            case 'o':
                stride = 1;
                return outRow[r.Index] + c;
            default:
                stride = 1;
                return registers + (long)r.Index * Segment;
        }
    }

    private static string Summarise(IReadOnlyList<Node> members, Graph graph, bool[] internalValues)
    {
        var sb = new StringBuilder("fused");
        foreach (var node in members)
        {
            string name = node.Op switch
            {
                UnaryOp u => u.Function.ToString().ToLowerInvariant(),
                BinaryOp b => b.Function.ToString().ToLowerInvariant(),
                _ => node.Op.Name,
            };
            sb.Append(' ').Append('#').Append(node.Index).Append(' ').Append(name);
            if (!internalValues[node.Outputs[0]]) sb.Append("->").Append(graph.Values[node.Outputs[0]].Name);
        }
        return sb.ToString();
    }
}
