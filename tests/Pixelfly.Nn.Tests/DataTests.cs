using System.IO.Compression;
using Pixelfly.Nn.Data;
using Pixelfly.Nn.Init;

namespace Pixelfly.Nn.Tests;

public sealed class DataTests
{
    private string _dir = null!;

    [SetUp]
    public void MakeFolder() => _dir = Directory.CreateTempSubdirectory("pixelfly-data-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    private static byte[] Idx(int[] dims, byte[] data)
    {
        var header = new List<byte> { 0, 0, 0x08, (byte)dims.Length };
        foreach (int d in dims) header.AddRange(BitConverter.GetBytes(d).Reverse());
        return [.. header, .. data];
    }

    private void WriteGz(string path, byte[] bytes)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(bytes);
    }

    [Test]
    public void Idx_files_read_gzipped_or_raw_and_bad_ones_say_why()
    {
        var data = Enumerable.Range(0, 24).Select(i => (byte)i).ToArray();
        string raw = Path.Combine(_dir, "a-idx3-ubyte"), gz = raw + ".gz";
        File.WriteAllBytes(raw, Idx([2, 3, 4], data));
        WriteGz(gz, Idx([2, 3, 4], data));
        foreach (var path in new[] { raw, gz })
        {
            var (dims, bytes) = IdxFile.ReadBytes(path);
            Assert.That(dims, Is.EqualTo(new[] { 2, 3, 4 }));
            Assert.That(bytes, Is.EqualTo(data));
        }
        Assert.That(Assert.Throws<DataException>(() => IdxFile.Parse(Idx([2, 3, 5], data), "x"))!.Message, Does.Contain("declares 2x3x5 = 30 bytes of data but holds 24"));
        Assert.That(Assert.Throws<DataException>(() => IdxFile.Parse([1, 2, 3, 4], "x"))!.Message, Does.Contain("not an IDX file"));
        Assert.That(Assert.Throws<DataException>(() => IdxFile.Parse([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], "x"))!.Message, Does.Contain("type 0x0d"));
        File.WriteAllBytes(gz, [1, 2, 3]);
        Assert.That(Assert.Throws<DataException>(() => IdxFile.ReadBytes(gz))!.Message, Does.Contain("not valid gzip"));
    }

    [Test]
    public void A_generated_fashion_mnist_folder_loads_and_batches_are_normalised_and_padded()
    {
        string dir = Path.Combine(_dir, "fashion-mnist");
        Directory.CreateDirectory(dir);
        foreach (var (split, count) in new[] { ("train", 60000), ("t10k", 10000) })
        {
            var pixels = new byte[count * 784];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7 % 256);
            WriteGz(Path.Combine(dir, $"{split}-images-idx3-ubyte.gz"), Idx([count, 28, 28], pixels));
            WriteGz(Path.Combine(dir, $"{split}-labels-idx1-ubyte.gz"), Idx([count], Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray()));
        }
        var (train, test) = DataSets.Images("fashion-mnist", _dir);
        Assert.That((train.Count, test.Count, train.Classes), Is.EqualTo((60000, 10000, 10)));
        var (images, labels) = test.Batch([3, 4], 4, mean: 0.5f, std: 0.25f);
        Assert.That(images.Type.Shape.ToArray(), Is.EqualTo(new[] { 4, 1, 28, 28 }));
        var pix = images.ToDoubles();
        Assert.That(pix[0], Is.EqualTo(((3 * 784 * 7 % 256) / 255.0 - 0.5) / 0.25).Within(1e-5));
        Assert.That(pix.Skip(2 * 784), Is.All.EqualTo(0), "padding rows are zeros");
        Assert.That(labels.ToDoubles(), Is.EqualTo(new double[] { 3, 4, 0, 0 }));
    }

    [Test]
    public void Missing_or_unknown_data_sets_name_the_fetch_command()
    {
        var e = Assert.Throws<DataException>(() => DataSets.Images("fashion-mnist", _dir));
        Assert.That(e!.Message, Does.Contain("scripts/fetch-data.sh fashion-mnist"));
        Assert.That(Assert.Throws<DataException>(() => DataSets.Text("cifar", _dir))!.Message, Does.Contain("known data sets"));
        Assert.That(Assert.Throws<DataException>(() => DataSets.Images("moby-dick", _dir))!.Message, Does.Contain("not an image data set"));
    }

    [Test]
    public void Text_splits_the_last_tenth_and_targets_are_the_next_characters()
    {
        var text = string.Concat(Enumerable.Range(0, 500).Select(i => "ab c"[i % 4] + "xyz"[i % 3].ToString()));
        var set = new TextDataset("toy", text);
        Assert.That(set.Vocabulary, Is.EqualTo(" abcxyz".ToCharArray()));
        Assert.That(set.TrainLength, Is.EqualTo(900));
        var (ids, targets) = set.TrainBatch(3, 16, new SeededRandom(1));
        var i = ids.ToDoubles().Select(d => (int)d).ToArray();
        var t = targets.ToDoubles().Select(d => (int)d).ToArray();
        for (int n = 0; n < 3; n++)
            Assert.That(i.Skip(n * 16 + 1).Take(15), Is.EqualTo(t.Skip(n * 16).Take(15)), "targets are the ids shifted by one");
        Assert.That(set.ValidationBatches(2, 16), Is.EqualTo(3));
        var (vIds, _) = set.ValidationBatch(0, 2, 16);
        Assert.That(set.Decode(vIds.ToDoubles().Take(16).Select(d => (int)d)), Is.EqualTo(text.Substring(900, 16)));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.ValidationBatch(3, 2, 16));
        Assert.Throws<DataException>(() => set.Encode('Q'));
    }
}
