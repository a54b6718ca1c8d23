using DiMml.TestSupport;
using DiMml.Torch.Data;

namespace DiMml.Benchmarks;

/// <summary>The fusion suite's tasks: three two-view tasks built from Fashion-MNIST images, one from synthesised speech and images,
/// two from real spoken and handwritten digits.</summary>
internal static class FusionTasks
{
    private const int Classes = 10;

    // Class pairs of the complementary task: view A cannot tell y from First(y), view B cannot tell y from Second(y).
    private static int First(int y) => y ^ 1;

    private static int Second(int y) => y % 2 == 0 ? (y + Classes - 1) % Classes : (y + 1) % Classes;

    public static IEnumerable<FusionTask> All(FusionSuiteSettings settings)
    {
        (MultimodalDataset, MultimodalDataset) Images(string[] views, Func<ImageSplit, int, int, float[][]> make, int seed) =>
            (Load(settings, "train", settings.Rows, views, make, seed), Load(settings, "t10k", null, views, make, seed + 7919));

        string[] halves = ["top", "bottom"];
        yield return new("halves", "top half vs bottom half (392 pixels each)", halves, false, seed =>
            Images(halves, (s, row, _) => [s.Pixels(row, 0, 392), s.Pixels(row, 392, 392)], seed));
        string[] degraded = ["image", "degraded"];
        yield return new("degraded", "full image (784 pixels) vs a degraded view: 7x7 average-pooled image + N(0, 0.3²) noise, padded " +
            "with 343 label-free N(0, 1) features that a network can memorise", degraded, false, seed =>
                Images(degraded, (s, row, sd) => [s.Pixels(row, 0, 784), Degraded(s, row, sd)], seed));
        string[] pair = ["a", "b"];
        yield return new("complementary", "two images per row: view a shows the row's class with probability 0.6, else its partner in " +
            "the pairs (0,1), (2,3), ...; view b shows another image of the class with probability 0.6, else its partner in (9,0), " +
            "(1,2), (3,4), ...; neither view alone can tell a class from its partner, together they can", pair, true, seed =>
                Images(pair, Complementary, seed));
        yield return SpeechTask.Create(settings);
        foreach (var (name, min, max) in DigitsTask.Variants)
        {
            yield return DigitsTask.Create(settings, name, min, max);
        }
    }

    private static MultimodalDataset Load(FusionSuiteSettings settings, string split, int? maxRows, string[] views,
        Func<ImageSplit, int, int, float[][]> make, int seed)
    {
        var images = ImageSplit.Read(settings.DataFolder, split);
        var rows = Math.Min(images.Count, maxRows ?? images.Count);
        var made = Enumerable.Range(0, rows).Select(i => make(images, i, seed)).ToArray();
        var data = views.Select((_, v) => made.SelectMany(r => r[v]).ToArray()).ToArray();
        return MultimodalDataset.FromArrays(data, made[0].Select(v => v.Length).ToArray(), images.Labels[..rows], Classes);
    }

    private static float[][] Complementary(ImageSplit images, int row, int seed)
    {
        var random = new Random(Synthetic.SeedOf(row, seed, 23));
        var y = images.Labels[row];
        var a = random.NextDouble() < 0.6 ? row : images.RandomOf(First(y), random);
        var b = images.RandomOf(random.NextDouble() < 0.6 ? y : Second(y), random);
        return [images.Pixels(a, 0, 784), images.Pixels(b, 0, 784)];
    }

    // 4x4 average pooling of the 28x28 image, Gaussian noise, then label-free features; fixed per (row, seed).
    private static float[] Degraded(ImageSplit images, int row, int seed)
    {
        var random = new Random(Synthetic.SeedOf(row, seed, 17));
        var image = images.Pixels(row, 0, 784);
        var pooled = new float[49];
        for (var y = 0; y < 28; y++)
        {
            for (var x = 0; x < 28; x++)
            {
                pooled[y / 4 * 7 + x / 4] += image[y * 28 + x] / 16;
            }
        }

        return pooled.Select(p => p + (float)(0.3 * Gaussian(random))).Concat(Enumerable.Range(0, 343).Select(_ => (float)Gaussian(random)))
            .ToArray();
    }

    internal static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());

    /// <summary>One Fashion-MNIST split in memory, with the rows of each class.</summary>
    internal sealed class ImageSplit
    {
        private readonly byte[] pixels;
        private readonly int[][] byClass;

        private ImageSplit(byte[] pixels, int[] labels)
        {
            this.pixels = pixels;
            Labels = labels;
            byClass = Enumerable.Range(0, Classes)
                .Select(c => labels.Select((y, i) => (y, i)).Where(p => p.y == c).Select(p => p.i).ToArray())
                .ToArray();
        }

        public int[] Labels { get; }

        public int Count => Labels.Length;

        public static ImageSplit Read(string folder, string split)
        {
            var (pixels, _, _, _) = IdxImages.ReadImages(Path.Combine(folder, $"{split}-images-idx3-ubyte.gz"));
            return new ImageSplit(pixels, IdxImages.ReadLabels(Path.Combine(folder, $"{split}-labels-idx1-ubyte.gz")));
        }

        public float[] Pixels(int row, int start, int length) =>
            pixels.AsSpan(row * 784 + start, length).ToArray().Select(p => p / 255f).ToArray();

        public int RandomOf(int label, Random random) => byClass[label][random.Next(byClass[label].Length)];
    }
}
