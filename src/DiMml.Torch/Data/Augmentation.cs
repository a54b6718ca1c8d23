using TorchSharp;
using DiMml.Torch.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Data;

/// <summary>
/// Training-time image augmentation for a shaped modality, as in the paper's visual pipelines: a random crop
/// (zero-pad by <see cref="CropPadding"/> on every side, crop back to the original size at a random offset) and a
/// random horizontal flip with probability 1/2. All frames of a sample share one crop and one flip. Applied to
/// whole batches at once; the random draws come from the generator passed in, so a seed fixes them per epoch.
/// </summary>
/// <param name="CropPadding">Pixels of zero padding for the random crop; 0 disables cropping.</param>
/// <param name="HorizontalFlip">Whether to flip half of the samples left-right.</param>
public sealed record Augmentation(int CropPadding, bool HorizontalFlip)
{
    /// <summary>No augmentation.</summary>
    public static readonly Augmentation None = new(0, false);

    /// <summary>Whether this augmentation changes anything.</summary>
    public bool Enabled => CropPadding > 0 || HorizontalFlip;

    /// <summary>Returns the augmented batch <c>[B, T·C·H·W]</c>.</summary>
    /// <param name="batch">Flat batch laid out as <paramref name="shape"/>.</param>
    /// <param name="shape">Layout of each row.</param>
    /// <param name="generator">Source of the random crops and flips.</param>
    public Tensor Apply(Tensor batch, ModalityShape shape, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(shape);
        if (CropPadding < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CropPadding), CropPadding, "Crop padding must be >= 0.");
        }

        using var scope = NewDisposeScope();
        var rows = batch.shape[0];
        var x = batch.reshape(rows, shape.Frames * shape.Channels, shape.Height, shape.Width);
        if (CropPadding > 0)
        {
            x = RandomCrop(x, CropPadding, generator);
        }

        if (HorizontalFlip)
        {
            var flip = rand([rows], generator: generator, device: CPU).lt(0.5).to(x.device).reshape(rows, 1, 1, 1);
            x = where(flip, x.flip(3), x);
        }

        return x.reshape(rows, -1).MoveToOuterDisposeScope();
    }

    // Gathers rows then columns at per-sample offsets: one vectorised crop for the whole batch.
    private static Tensor RandomCrop(Tensor x, int padding, Generator generator)
    {
        var (rows, planes, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        var padded = nn.functional.pad(x, [padding, padding, padding, padding]);
        var dy = randint(2 * padding + 1, [rows], generator: generator, device: CPU).to(x.device);
        var dx = randint(2 * padding + 1, [rows], generator: generator, device: CPU).to(x.device);
        var rowIndex = (dy.unsqueeze(1) + arange(height, device: x.device)).reshape(rows, 1, height, 1).expand(rows, planes, height, width + 2 * padding);
        var cropped = padded.gather(2, rowIndex);
        var columnIndex = (dx.unsqueeze(1) + arange(width, device: x.device)).reshape(rows, 1, 1, width).expand(rows, planes, height, width);
        return cropped.gather(3, columnIndex);
    }
}
