using System.Text;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Conformance;

/// <summary>
/// Writes the conformance corpus (conformance/corpus/pixelfly-cts-v1.jsonl). The output is deterministic: a test
/// asserts that <see cref="Generate"/> reproduces the checked-in file byte for byte, so any change here must come
/// with a regenerated corpus (docs/conformance.md, "Regenerating the corpus"). Families live in the partial files
/// CaseGenerator.*.cs; sizes are chosen so the whole corpus runs in minutes on the f64 reference.
/// </summary>
public static partial class CaseGenerator
{
    /// <summary>Every case of the corpus, in file order.</summary>
    public static IReadOnlyList<ConformanceCase> Generate()
    {
        var set = new CaseSet();
        AddElementwise(set);
        AddReductionsAndNorms(set);
        AddShapeOps(set);
        AddMatMul(set);
        AddBlockSparse(set);
        AddOptimizer(set);
        AddPixelflyLinear(set);
        AddGradients(set);
        AddModels(set);
        return set.Cases;
    }

    /// <summary>Writes the corpus as JSON lines (UTF-8, '\n' line ends) to a stream.</summary>
    public static void WriteJsonl(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(Corpus.ToJsonl(Generate()));
    }

    /// <summary>Writes the corpus as JSON lines to a file, atomically (temp file, then rename).</summary>
    public static void WriteJsonl(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Pixelfly.IO.AtomicFile.WriteAllBytes(path, Corpus.ToJsonl(Generate()));
    }

    /// <summary>
    /// The seed of one input: FNV-1a 64 of the UTF-8 bytes of "caseId|inputName", masked to 53 bits. Only the
    /// generator uses this; a runtime reads the seed stored in the case.
    /// </summary>
    public static long SeedFor(string caseId, string inputName)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (byte c in Encoding.UTF8.GetBytes(caseId + "|" + inputName))
        {
            h ^= c;
            h *= 0x100000001B3UL;
        }
        return (long)(h & InputSpec.MaxSeed);
    }

    /// <summary>An input generator before it is given a name and seed.</summary>
    internal sealed record Gen(InputKind Kind, double Lo = 0, double Hi = 0, int Range = 0, double Value = 0)
    {
        public InputSpec For(string caseId, string name) => Kind switch
        {
            InputKind.Uniform or InputKind.SmallInt or InputKind.Labels or InputKind.Indices =>
                new InputSpec(name, Kind, Lo, Hi, Range, Value, SeedFor(caseId, name)),
            _ => new InputSpec(name, Kind, Lo, Hi, Range, Value),
        };
    }

    internal static Gen U(double lo, double hi) => new(InputKind.Uniform, lo, hi);

    internal static Gen Int(int lo, int hi) => new(InputKind.SmallInt, lo, hi);

    internal static Gen Labels(int classes) => new(InputKind.Labels, Range: classes);

    internal static Gen Indices(int rows) => new(InputKind.Indices, Range: rows);

    internal static Gen Const(double value) => new(InputKind.Constant, Value: value);

    internal static Gen Zeros { get; } = new(InputKind.Zeros);

    internal static Gen StepFrom(double start) => new(InputKind.Step, Value: start);

    /// <summary>Uniform [-1, 1): the default for float inputs.</summary>
    internal static Gen Unit { get; } = U(-1, 1);

    /// <summary>Collects cases; fills in specs, seeds and the automatic tags.</summary>
    internal sealed class CaseSet
    {
        private readonly HashSet<string> _ids = [];

        public List<ConformanceCase> Cases { get; } = [];

        /// <summary>
        /// Adds a case. Inputs not named in <paramref name="gens"/> get <paramref name="fallback"/> (default: uniform
        /// [-1, 1) for floats; i32 inputs must be named).
        /// </summary>
        public void Add(string id, CaseClass cls, Graph graph, IReadOnlyDictionary<string, Gen>? gens = null,
            IEnumerable<string>? tags = null, Gen? fallback = null, int steps = 1, ThresholdOverride? thresholds = null)
        {
            if (!_ids.Add(id)) throw new InvalidOperationException($"generator bug: case id '{id}' is used twice");
            var specs = new List<InputSpec>();
            foreach (var v in graph.Bindable)
            {
                Gen gen = gens is not null && gens.TryGetValue(v.Name, out var g) ? g
                    : v.Type.DType.IsFloat() ? fallback ?? Unit
                    : throw new InvalidOperationException($"generator bug: case '{id}' gives no generator for i32 input '{v.Name}'");
                specs.Add(gen.For(id, v.Name));
            }
            var allTags = new SortedSet<string>(StringComparer.Ordinal) { cls == CaseClass.Exact ? "exact" : "numeric" };
            foreach (var n in graph.Nodes) allTags.Add("op:" + n.Op.Name);
            foreach (var v in graph.Bindable) allTags.Add(v.Type.DType.Name());
            foreach (var o in graph.Outputs) allTags.Add(graph.Values[o.Value].Type.DType.Name());
            foreach (var t in tags ?? []) allTags.Add(t);
            var c = new ConformanceCase(id, allTags.ToArray(), cls, graph, specs, steps, thresholds);
            c.Validate();
            Cases.Add(c);
        }
    }

    /// <summary>A graph with one op applied to fresh inputs named a, b, c, … and one output "y".</summary>
    internal static Graph Single(Func<GraphBuilder, Value> body)
    {
        var b = new GraphBuilder();
        b.Output("y", body(b));
        return b.Build();
    }

    internal static Dictionary<string, Gen> G(params (string Name, Gen Gen)[] gens) => gens.ToDictionary(g => g.Name, g => g.Gen);

    internal static string Name(DType t) => t.Name();
}
