using Pixelfly.Nn.Init;
using Pixelfly.Tensors;

namespace Pixelfly.Nn;

/// <summary>
/// A building block of a model: named parameters and child modules, in declaration order. A module builds its part
/// of a graph in its own Forward method (signatures differ by module) through a <see cref="GraphScope"/>, which
/// binds each parameter once per graph. Names nest: a child "fc1" of a module named "mlp" owns "mlp.fc1.weight".
/// Disposing a model drops its parameter values (and whatever a subclass holds).
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<Parameter> _parameters = [];
    private readonly List<Module> _children = [];
    private bool _disposed;

    /// <summary>A module whose parameters are named "<paramref name="name"/>.&lt;local&gt;" (or just the local
    /// name when <paramref name="name"/> is empty, for a whole model).</summary>
    protected Module(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length > 0 && (name.StartsWith('.') || name.EndsWith('.') || name.Contains("..", StringComparison.Ordinal)))
            throw new ArgumentException($"module name '{name}' is not a dotted path", nameof(name));
        Name = name;
    }

    /// <summary>The dotted path of this module.</summary>
    public string Name { get; }

    /// <summary>Every parameter of this module and its children, depth first in declaration order.</summary>
    public IEnumerable<Parameter> Parameters()
    {
        foreach (var p in _parameters) yield return p;
        foreach (var c in _children)
            foreach (var p in c.Parameters())
                yield return p;
    }

    /// <summary>The direct children.</summary>
    public IReadOnlyList<Module> Children => _children;

    /// <summary>Total number of trainable values.</summary>
    public long ParameterCount => Parameters().Sum(p => p.ElementCount);

    /// <summary>
    /// Draws every parameter's initial values; each parameter has its own stream of the seed (by name), then each
    /// module (children first) may apply structured init that couples parameters (<see cref="InitializeJointly"/>).
    /// </summary>
    public void Initialize(ulong seed)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var p in _parameters) p.Initialize(seed);
        foreach (var c in _children) c.Initialize(seed);
        InitializeJointly(seed);
    }

    /// <summary>Init that sets several parameters together (an SVD of one dense draw); draws from streams named
    /// under this module, e.g. <c>SeededRandom.For(seed, Qualify("dense"))</c>.</summary>
    protected virtual void InitializeJointly(ulong seed)
    {
    }

    /// <summary>The full name of a local name.</summary>
    protected string Qualify(string local) => Name.Length == 0 ? local : $"{Name}.{local}";

    /// <summary>Declares a parameter.</summary>
    protected Parameter AddParameter(string local, Initializer initializer, bool weightDecay, params int[] shape)
    {
        if (string.IsNullOrEmpty(local) || local.Contains('.', StringComparison.Ordinal))
            throw new ArgumentException($"parameter name '{local}' must be a non-empty name without dots", nameof(local));
        var p = new Parameter(Qualify(local), new Shape(shape), initializer, weightDecay);
        if (_parameters.Any(q => q.Name == p.Name))
            throw new ArgumentException($"module '{Name}' already has a parameter '{local}'", nameof(local));
        _parameters.Add(p);
        return p;
    }

    /// <summary>Declares a child module (its name must extend this module's).</summary>
    protected T AddModule<T>(T child) where T : Module
    {
        ArgumentNullException.ThrowIfNull(child);
        if (Name.Length > 0 && !child.Name.StartsWith(Name + ".", StringComparison.Ordinal))
            throw new ArgumentException($"child module '{child.Name}' is not named under '{Name}'", nameof(child));
        _children.Add(child);
        return child;
    }

    /// <summary>Releases the parameters' values and the children.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var c in _children) c.Dispose();
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a subclass holds.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
