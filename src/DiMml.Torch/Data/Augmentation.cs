using DiMml.Torch.Modules;
using DiMml.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Torch.Data;

/// <summary>
/// Training-time image augmentation of a shaped modality: an optional random crop (<see cref="AugmentationCrop"/>) and
/// an optional horizontal flip with probability 1/2, drawn once per sample (all its frames alike) or, with
/// <see cref="PerFrame"/>, independently for each frame as the DI-MML authors' frame loaders do. Applied to whole
/// batches at once; the draws come from the generator passed in, so a seed fixes them per epoch.
/// </summary>
/// <param name="Crop">The random crop.</param>
/// <param name="HorizontalFlip">Whether to flip half of the samples (or frames) left-right. Not for spectrograms:
/// it reverses time.</param>
/// <param name="PerFrame">Whether each frame draws its own crop and flip (true) or all frames of a sample share one.</param>
public sealed record Augmentation(AugmentationCrop Crop, bool HorizontalFlip, bool PerFrame = false)
{
    // torchvision's RandomResizedCrop tries this many boxes before it falls back to a central one.
    private const int ResizedCropAttempts = 10;

    /// <summary>No augmentation.</summary>
    public static Augmentation None { get; } = new(AugmentationCrop.None, false);

    /// <summary>The DI-MML authors' recipe for images and video frames: random resized crop (area 8 %-100 %, aspect
    /// ratio 3/4-4/3) and a horizontal flip, drawn independently for each frame.</summary>
    public static Augmentation Paper { get; } = new(AugmentationCrop.ResizedCrop, true, PerFrame: true);

    /// <summary>Pad-and-crop by <paramref name="padding"/> pixels, with a flip when <paramref name="flip"/> is set.</summary>
    /// <param name="padding">Pixels of zero padding on every side.</param>
    /// <param name="flip">Whether to add a random horizontal flip.</param>
    public static Augmentation PadCrop(int padding, bool flip = false) => new(AugmentationCrop.PadCrop, flip) { CropPadding = padding };

    /// <summary>Pixels of zero padding for <see cref="AugmentationCrop.PadCrop"/>. Default 4.</summary>
    public int CropPadding { get; init; } = 4;

    /// <summary>Smallest share of the area a <see cref="AugmentationCrop.ResizedCrop"/> box covers. Default 0.08.</summary>
    public double MinScale { get; init; } = 0.08;

    /// <summary>Largest share of the area a <see cref="AugmentationCrop.ResizedCrop"/> box covers. Default 1.</summary>
    public double MaxScale { get; init; } = 1.0;

    /// <summary>Smallest width / height of a <see cref="AugmentationCrop.ResizedCrop"/> box. Default 3/4.</summary>
    public double MinAspectRatio { get; init; } = 3.0 / 4;

    /// <summary>Largest width / height of a <see cref="AugmentationCrop.ResizedCrop"/> box. Default 4/3.</summary>
    public double MaxAspectRatio { get; init; } = 4.0 / 3;

    /// <summary>Whether this augmentation changes anything.</summary>
    public bool Enabled => (Crop == AugmentationCrop.PadCrop && CropPadding > 0) || Crop == AugmentationCrop.ResizedCrop || HorizontalFlip;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the setting that cannot work (and the modality, when given).</summary>
    /// <param name="modality">The modality's name, for the message; null when there is none.</param>
    public void Validate(string? modality = null)
    {
        void Require(bool condition, string problem)
        {
            if (!condition)
            {
                throw new ArgumentException($"Augmentation{(modality is null ? "" : $" of modality '{modality}'")}: {problem}.");
            }
        }

        Require(Enum.IsDefined(Crop), $"Crop {Crop} is not one of {string.Join(", ", Enum.GetNames<AugmentationCrop>())}");
        Require(CropPadding >= 0, $"CropPadding is {CropPadding}; it must be >= 0");
        Require(MinScale > 0 && MinScale <= MaxScale && MaxScale <= 1, $"the scale range [{MinScale}, {MaxScale}] must lie in (0, 1] " +
            $"with MinScale <= MaxScale");
        Require(MinAspectRatio > 0 && MinAspectRatio <= MaxAspectRatio && double.IsFinite(MaxAspectRatio),
            $"the aspect-ratio range [{MinAspectRatio}, {MaxAspectRatio}] must be positive and finite " +
            "with MinAspectRatio <= MaxAspectRatio");
    }

    /// <summary>Returns the augmented batch <c>[B, T·C·H·W]</c>.</summary>
    /// <param name="batch">Flat batch laid out as <paramref name="shape"/>.</param>
    /// <param name="shape">Layout of each row.</param>
    /// <param name="generator">Source of the random crops and flips.</param>
    public Tensor Apply(Tensor batch, ModalityShape shape, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(shape);
        Validate();
        using var scope = NewDisposeScope();
        var rows = batch.shape[0];

        // The unit of a draw: a frame (its C planes) or a whole sample (its T·C planes).
        var x = PerFrame
            ? batch.reshape(rows * shape.Frames, shape.Channels, shape.Height, shape.Width)
            : batch.reshape(rows, shape.Frames * shape.Channels, shape.Height, shape.Width);
        x = Crop switch
        {
            AugmentationCrop.ResizedCrop => ResizedCrop(x, generator),
            AugmentationCrop.PadCrop when CropPadding > 0 => Flip(PaddedCrop(x, CropPadding, generator), generator),
            _ => Flip(x, generator),
        };
        return x.reshape(rows, -1).MoveToOuterDisposeScope();
    }

    private Tensor Flip(Tensor x, Generator generator)
    {
        if (!HorizontalFlip)
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
    private Tensor ResizedCrop(Tensor x, Generator generator)
    {
        var (units, height, width) = (x.shape[0], x.shape[2], x.shape[3]);
        var (w, h) = BoxSizes(units, height, width, generator, out var anyFits);
        var top = Offset(h, height, anyFits, generator);
        var left = Offset(w, width, anyFits, generator);
        var xScale = ScalarMath.Divide(w, width);
        if (HorizontalFlip)
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
    private (Tensor Width, Tensor Height) BoxSizes(long units, long height, long width, Generator generator, out Tensor anyFits)
    {
        var area = (double)height * width;
        var scale = Uniform(rand([units, ResizedCropAttempts], ScalarType.Float64, generator: generator), MinScale, MaxScale);
        var logRatio = Uniform(rand([units, ResizedCropAttempts], ScalarType.Float64, generator: generator), Math.Log(MinAspectRatio),
            Math.Log(MaxAspectRatio));
        var ratio = logRatio.exp();
        var boxArea = ScalarMath.Multiply(scale, area);
        var boxWidth = boxArea.mul(ratio).sqrt().round();
        var boxHeight = boxArea.div(ratio).sqrt().round();
        using var scalars = new ScalarScope();
        var fits = boxWidth.gt(scalars.Of(0L)).logical_and(boxWidth.le(scalars.Of(width))).logical_and(boxHeight.gt(scalars.Of(0L)))
            .logical_and(boxHeight.le(scalars.Of(height)));
        var first = fits.to(ScalarType.Int64).argmax(1, keepdim: true);
        var (fallbackWidth, fallbackHeight) = CentralBox(height, width);
        anyFits = fits.any(1);
        return (where(anyFits, boxWidth.gather(1, first).squeeze(1), fallbackWidth),
            where(anyFits, boxHeight.gather(1, first).squeeze(1), fallbackHeight));
    }

    private static Tensor Uniform(Tensor unit, double low, double high) => ScalarMath.Add(ScalarMath.Multiply(unit, high - low), low);

    private (double Width, double Height) CentralBox(long height, long width)
    {
        var ratio = (double)width / height;
        return ratio < MinAspectRatio ? (width, Math.Round(width / MinAspectRatio))
            : ratio > MaxAspectRatio ? (Math.Round(height * MaxAspectRatio), height)
            : (width, height);
    }
}
