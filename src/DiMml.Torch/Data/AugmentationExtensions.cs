using DiMml.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Torch.Data;

/// <summary>
/// Applies an <see cref="Augmentation"/> to whole batches at once; the draws come from the generator passed in, so a seed fixes
/// them per epoch.
/// </summary>
public static class AugmentationExtensions
{
    // torchvision's RandomResizedCrop tries this many boxes before it falls back to a central one.
    private const int ResizedCropAttempts = 10;

    /// <summary>Returns the augmented batch <c>[B, T·C·H·W]</c>.</summary>
    /// <param name="augmentation">The augmentation.</param>
    /// <param name="batch">Flat batch laid out as <paramref name="shape"/>.</param>
    /// <param name="shape">Layout of each row.</param>
    /// <param name="generator">Source of the random crops and flips.</param>
    public static Tensor Apply(this Augmentation augmentation, Tensor batch, ModalityShape shape, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(augmentation);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(shape);
        augmentation.Validate();
        using var scope = NewDisposeScope();
        var rows = batch.shape[0];

        // The unit of a draw: a frame (its C planes) or a whole sample (its T·C planes).
        var x = augmentation.PerFrame
            ? batch.reshape(rows * shape.Frames, shape.Channels, shape.Height, shape.Width)
            : batch.reshape(rows, shape.Frames * shape.Channels, shape.Height, shape.Width);
        x = augmentation.Crop switch
        {
            AugmentationCrop.ResizedCrop => ResizedCrop(augmentation, x, generator),
            AugmentationCrop.PadCrop when augmentation.CropPadding > 0 =>
                Flip(augmentation, PaddedCrop(x, augmentation.CropPadding, generator), generator),
            _ => Flip(augmentation, x, generator),
        };
        return x.reshape(rows, -1).MoveToOuterDisposeScope();
    }

    private static Tensor Flip(Augmentation augmentation, Tensor x, Generator generator)
    {
        if (!augmentation.HorizontalFlip)
        {
            return x;
        }

        using var half = 0.5.ToScalar();
        var flip = rand([x.shape[0]], generator: generator, device: CPU).lt(half).to(x.device).reshape(-1, 1, 1, 1);
        return where(flip, x.flip(3), x);
    }

    // Gathers rows then columns at per-unit offsets: one vectorised crop for the whole batch.
    private static Tensor PaddedCrop(Tensor x, int padding, Generator generator)
    {
        var (units, planes, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        var padded = nn.functional.pad(x, [padding, padding, padding, padding]);
        var dy = randint(2 * padding + 1, [units], generator: generator, device: CPU).to(x.device);
        var dx = randint(2 * padding + 1, [units], generator: generator, device: CPU).to(x.device);
        var rowIndex = ScalarMath.Add(dy.unsqueeze(1), ScalarMath.Range(height, x.device)).reshape(units, 1, height, 1)
            .expand(units, planes, height, width + 2 * padding);
        var cropped = padded.gather(2, rowIndex);
        var columnIndex = ScalarMath.Add(dx.unsqueeze(1), ScalarMath.Range(width, x.device)).reshape(units, 1, 1, width)
            .expand(units, planes, height, width);
        return cropped.gather(3, columnIndex);
    }

    // torchvision's RandomResizedCrop for every unit at once: up to ten candidate boxes each (the first that fits
    // wins, else the largest central box within the ratio range), integer box sizes and offsets, then one bilinear
    // resample of all boxes back to H x W through an affine grid with the flip folded in. The grid is clamped to the
    // box's outer pixel centres, so the result is exactly "crop, then resize" (bilinear, align_corners = false). Boxes
    // never exceed the image, so the resize only magnifies and torchvision's antialiasing has nothing to do.
    private static Tensor ResizedCrop(Augmentation augmentation, Tensor x, Generator generator)
    {
        var (units, height, width) = (x.shape[0], x.shape[2], x.shape[3]);
        var (w, h) = BoxSizes(augmentation, units, height, width, generator, out var anyFits);
        var top = Offset(h, height, anyFits, generator);
        var left = Offset(w, width, anyFits, generator);
        var xScale = ScalarMath.Divide(w, width);
        if (augmentation.HorizontalFlip)
        {
            using var half = 0.5.ToScalar();
            xScale = where(rand([units], generator: generator).lt(half), xScale.neg(), xScale);
        }

        // A position given doubled (2·left + w is twice the box centre, 2·left + 1 twice the first pixel centre) as a grid
        // coordinate in [-1, 1] with align_corners = false: doubled / size - 1.
        static Tensor Grid(Tensor doubled, long size) => ScalarMath.Add(ScalarMath.Divide(doubled, size), -1.0);
        static Tensor Twice(Tensor t) => ScalarMath.Multiply(t, 2);
        var zero = zeros_like(xScale);
        var theta = stack([xScale, zero, Grid(ScalarMath.Add(Twice(left), w), width), zero, ScalarMath.Divide(h, height),
            Grid(ScalarMath.Add(Twice(top), h), height)], 1).reshape(units, 2, 3);
        var grid = nn.functional.affine_grid(theta.to(x.dtype).to(x.device), [units, x.shape[1], height, width], align_corners: false);
        var low = stack([Grid(ScalarMath.Add(Twice(left), 1.0), width), Grid(ScalarMath.Add(Twice(top), 1.0), height)], 1)
            .reshape(units, 1, 1, 2).to(x.dtype).to(x.device);
        var high = stack([Grid(ScalarMath.Add(Twice(ScalarMath.Add(left, w)), -1.0), width),
            Grid(ScalarMath.Add(Twice(ScalarMath.Add(top, h)), -1.0), height)], 1).reshape(units, 1, 1, 2).to(x.dtype).to(x.device);
        return nn.functional.grid_sample(x, grid.clamp(low, high), GridSampleMode.Bilinear, GridSamplePaddingMode.Border,
            align_corners: false);
    }

    // A box's offset along an axis of the image: uniform over whole pixels where a candidate fitted, else centred.
    private static Tensor Offset(Tensor box, long size, Tensor anyFits, Generator generator)
    {
        var room = ScalarMath.Add(box.neg(), size);
        var drawn = rand([box.shape[0]], ScalarType.Float64, generator: generator).mul(ScalarMath.Add(room, 1.0)).floor();
        return where(anyFits, drawn, ScalarMath.Divide(room, 2).floor());
    }

    // Box widths and heights (float64, whole pixels): the first of ten candidates that fits, else the central fallback.
    private static (Tensor Width, Tensor Height) BoxSizes(Augmentation augmentation, long units, long height, long width,
        Generator generator, out Tensor anyFits)
    {
        var area = (double)height * width;
        var scale = Uniform(rand([units, ResizedCropAttempts], ScalarType.Float64, generator: generator), augmentation.MinScale,
            augmentation.MaxScale);
        var logRatio = Uniform(rand([units, ResizedCropAttempts], ScalarType.Float64, generator: generator),
            Math.Log(augmentation.MinAspectRatio), Math.Log(augmentation.MaxAspectRatio));
        var ratio = logRatio.exp();
        var boxArea = ScalarMath.Multiply(scale, area);
        var boxWidth = boxArea.mul(ratio).sqrt().round();
        var boxHeight = boxArea.div(ratio).sqrt().round();
        using var scalars = new ScalarScope();
        var fits = boxWidth.gt(scalars.Of(0L)).logical_and(boxWidth.le(scalars.Of(width))).logical_and(boxHeight.gt(scalars.Of(0L)))
            .logical_and(boxHeight.le(scalars.Of(height)));
        var first = fits.to(ScalarType.Int64).argmax(1, keepdim: true);
        var (fallbackWidth, fallbackHeight) = CentralBox(augmentation, height, width);
        anyFits = fits.any(1);
        return (where(anyFits, boxWidth.gather(1, first).squeeze(1), fallbackWidth),
            where(anyFits, boxHeight.gather(1, first).squeeze(1), fallbackHeight));
    }

    private static Tensor Uniform(Tensor unit, double low, double high) => ScalarMath.Add(ScalarMath.Multiply(unit, high - low), low);

    private static (double Width, double Height) CentralBox(Augmentation augmentation, long height, long width)
    {
        var ratio = (double)width / height;
        return ratio < augmentation.MinAspectRatio ? (width, Math.Round(width / augmentation.MinAspectRatio))
            : ratio > augmentation.MaxAspectRatio ? (Math.Round(height * augmentation.MaxAspectRatio), height)
            : (width, height);
    }
}
