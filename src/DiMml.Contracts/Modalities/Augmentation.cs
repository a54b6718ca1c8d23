namespace DiMml;

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
}
