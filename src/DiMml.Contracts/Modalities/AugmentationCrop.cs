namespace DiMml;

/// <summary>The random crop of an <see cref="Augmentation"/>.</summary>
public enum AugmentationCrop
{
    /// <summary>No crop.</summary>
    None,

    /// <summary>Zero-pad by <see cref="Augmentation.CropPadding"/> pixels on every side and crop back to the original
    /// size at a random offset (the CIFAR-style crop; small shifts, no rescaling).</summary>
    PadCrop,

    /// <summary>The DI-MML authors' crop (torchvision's RandomResizedCrop): a random box covering
    /// <see cref="Augmentation.MinScale"/> to <see cref="Augmentation.MaxScale"/> of the area with an aspect ratio
    /// between <see cref="Augmentation.MinAspectRatio"/> and <see cref="Augmentation.MaxAspectRatio"/>, resized back to
    /// the original size (bilinear).</summary>
    ResizedCrop,
}
