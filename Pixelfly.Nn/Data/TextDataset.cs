using Pixelfly.Nn.Init;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Data;

/// <summary>
/// A character-level corpus: the vocabulary is the sorted set of characters of the whole text, the first 90% is the
/// training split and the last 10% the validation split (no split is defined upstream). Batches are windows of
/// T + 1 characters: ids are the first T, targets the last T.
/// </summary>
public sealed class TextDataset
{
    private readonly int[] _ids;
    private readonly Dictionary<char, int> _index;

    /// <summary>Builds the vocabulary and encodes <paramref name="text"/>.</summary>
    public TextDataset(string name, string text, double validationFraction = 0.1)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length < 1000) throw new DataException($"{name}: the text has {text.Length} characters, too few to train on");
        if (!(validationFraction is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(validationFraction));
        Name = name;
        Vocabulary = text.Distinct().Order().ToArray();
        _index = Vocabulary.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        _ids = text.Select(c => _index[c]).ToArray();
        TrainLength = (int)(_ids.Length * (1 - validationFraction));
    }

    /// <summary>What it is ("moby-dick").</summary>
    public string Name { get; }

    /// <summary>The characters, id = position.</summary>
    public char[] Vocabulary { get; }

    /// <summary>Characters in the training split (the rest is validation).</summary>
    public int TrainLength { get; }

    /// <summary>Characters in the validation split.</summary>
    public int ValidationLength => _ids.Length - TrainLength;

    /// <summary>The id of a character.</summary>
    public int Encode(char c) => _index.TryGetValue(c, out int id) ? id : throw new DataException($"{Name}: character U+{(int)c:X4} is not in the vocabulary");

    /// <summary>The text of ids.</summary>
    public string Decode(IEnumerable<int> ids) => new(ids.Select(i => Vocabulary[i]).ToArray());

    /// <summary>A training batch of random windows (positions drawn from <paramref name="random"/>).</summary>
    public (HostTensor Ids, HostTensor Targets) TrainBatch(int batch, int tokens, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        int span = TrainLength - tokens - 1;
        if (span <= 0) throw new DataException($"{Name}: the training split is shorter than a window of {tokens + 1}");
        var starts = Enumerable.Range(0, batch).Select(_ => random.NextInt(span)).ToArray();
        return Windows(starts, tokens);
    }

    /// <summary>
    /// Validation batch <paramref name="index"/> of consecutive non-overlapping windows; <see cref="ValidationBatches"/>
    /// batches cover the split (the tail that fills no whole window is left out).
    /// </summary>
    public (HostTensor Ids, HostTensor Targets) ValidationBatch(int index, int batch, int tokens)
    {
        int count = ValidationBatches(batch, tokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        var starts = Enumerable.Range(0, batch).Select(n => TrainLength + (index * batch + n) * tokens).ToArray();
        return Windows(starts, tokens);
    }

    /// <summary>Number of whole validation batches.</summary>
    public int ValidationBatches(int batch, int tokens) => (ValidationLength - 1) / tokens / batch;

    private (HostTensor Ids, HostTensor Targets) Windows(int[] starts, int tokens)
    {
        var ids = new int[starts.Length * tokens];
        var targets = new int[starts.Length * tokens];
        for (int n = 0; n < starts.Length; n++)
        {
            Array.Copy(_ids, starts[n], ids, n * tokens, tokens);
            Array.Copy(_ids, starts[n] + 1, targets, n * tokens, tokens);
        }
        return (HostTensor.FromInts(ids, starts.Length, tokens), HostTensor.FromInts(targets, starts.Length, tokens));
    }
}
