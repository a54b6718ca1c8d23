using DiMml.TestSupport;
using DiMml.Torch.Data;

namespace DiMml.Examples;

/// <summary>
/// Fashion-MNIST as a two-modality problem: the top half and the bottom half of each 28x28 image
/// (392 pixels each, scaled to [0, 1]). Neither half alone shows the whole garment.
/// </summary>
internal static class TwoViewFashionMnist
{
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads one split ("train" or "t10k") as a TorchSharp-core dataset.</summary>
    public static MultimodalDataset Load(string folder, string split, int? maxRows = null)
    {
        var (top, bottom, labels) = Halves(folder, split, maxRows);
        return MultimodalDataset.FromArrays([top, bottom], [FashionRow.HalfSize, FashionRow.HalfSize], labels, ClassNames.Length);
    }

    /// <summary>Loads one split as rows for an ML.NET IDataView (label = class name).</summary>
    public static FashionRow[] Rows(string folder, string split, int? maxRows = null)
    {
        var (top, bottom, labels) = Halves(folder, split, maxRows);
        const int half = FashionRow.HalfSize;
        return labels.Select((label, i) => new FashionRow
        {
            Label = ClassNames[label],
            Top = top.AsSpan(i * half, half).ToArray(),
            Bottom = bottom.AsSpan(i * half, half).ToArray(),
        }).ToArray();
    }

    private static (float[] Top, float[] Bottom, int[] Labels) Halves(string folder, string split, int? maxRows)
    {
        var (pixels, count, height, width) = IdxImages.ReadImages(Path.Combine(folder, $"{split}-images-idx3-ubyte.gz"));
        var labels = IdxImages.ReadLabels(Path.Combine(folder, $"{split}-labels-idx1-ubyte.gz"));
        var rows = Math.Min(count, maxRows ?? count);
        var half = height / 2 * width;
        var top = new float[rows * half];
        var bottom = new float[rows * half];
        for (var i = 0; i < rows; i++)
        {
            var image = pixels.AsSpan(i * height * width, height * width);
            for (var p = 0; p < half; p++)
            {
                top[i * half + p] = image[p] / 255f;
                bottom[i * half + p] = image[half + p] / 255f;
            }
        }

        return (top, bottom, labels[..rows]);
    }
}
