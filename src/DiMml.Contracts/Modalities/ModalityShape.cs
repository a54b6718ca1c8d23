namespace DiMml;

/// <summary>
/// Layout of one modality's flat input vector: <see cref="Frames"/> frames of <see cref="Channels"/> planes of
/// <see cref="Height"/> × <see cref="Width"/> values, frame after frame, each frame channel-major (CHW: what
/// ML.NET's ExtractPixels writes by default).
/// </summary>
/// <param name="Channels">Planes per frame: 1 (spectrogram, grey image), 2 (optical flow x/y), 3 (RGB).</param>
/// <param name="Frames">Frames per sample (1 for a single image or spectrogram).</param>
/// <param name="Height">Rows per plane.</param>
/// <param name="Width">Columns per plane.</param>
public sealed record ModalityShape(int Channels, int Frames, int Height, int Width)
{
    /// <summary>Length of the flat vector: Frames × Channels × Height × Width.</summary>
    public long Size => (long)Frames * Channels * Height * Width;

    /// <summary>Throws unless every dimension is positive.</summary>
    public void Validate()
    {
        if (Channels <= 0 || Frames <= 0 || Height <= 0 || Width <= 0)
        {
            throw new ArgumentException($"Every dimension of a modality shape must be positive; got {this}.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Frames} frame(s) x {Channels} channel(s) x {Height} x {Width}";
}
