namespace DiMml.Video;

/// <summary>Which frames of a clip are decoded.</summary>
public static class FrameSampling
{
    /// <summary>
    /// The indices of <paramref name="count"/> frames of a clip of <paramref name="clipFrames"/>: with stride 0, the centre of
    /// each of <paramref name="count"/> equal segments (a short clip repeats frames); otherwise 0, stride, 2 x stride, ...,
    /// held at the last frame when the clip ends first.
    /// </summary>
    /// <param name="clipFrames">Frames in the clip (at least 1).</param>
    /// <param name="count">Frames to take (at least 1).</param>
    /// <param name="stride">0 for evenly spaced, else the step between taken frames.</param>
    public static int[] Positions(int clipFrames, int count, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clipFrames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegative(stride);
        return Enumerable.Range(0, count)
            .Select(i => stride == 0
                ? (int)((2L * i + 1) * clipFrames / (2L * count))
                : (int)Math.Min((long)i * stride, clipFrames - 1))
            .ToArray();
    }
}
