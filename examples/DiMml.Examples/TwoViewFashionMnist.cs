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

    /// <summary>Loads one split ("train" or "t10k") from a folder of IDX files.</summary>
    public static MultimodalDataset Load(string folder, string split, int? maxRows = null)
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

        return MultimodalDataset.FromArrays([top, bottom], [half, half], labels[..rows], ClassNames.Length);
    }
}
