namespace DiMml.Serving.Audio;

/// <summary>
/// Band-limited resampling by windowed-sinc interpolation (Blackman window, 16 zero crossings), with the cut-off at
/// the lower of the two Nyquist frequencies, so downsampling does not alias and upsampling adds no images.
/// </summary>
public static class Resampler
{
    private const int ZeroCrossings = 16;

    /// <summary>Resamples <paramref name="input"/> from <paramref name="fromRate"/> to <paramref name="toRate"/> Hz.</summary>
    /// <param name="input">Samples at the source rate.</param>
    /// <param name="fromRate">Source rate (Hz).</param>
    /// <param name="toRate">Target rate (Hz).</param>
    public static float[] Resample(float[] input, int fromRate, int toRate)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fromRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toRate);
        if (fromRate == toRate)
        {
            return input;
        }

        var ratio = (double)toRate / fromRate;
        var cutoff = Math.Min(1.0, ratio);
        var halfWidth = ZeroCrossings / cutoff;
        var output = new float[(int)Math.Ceiling(input.Length * ratio)];
        for (var n = 0; n < output.Length; n++)
        {
            var centre = n / ratio;
            var first = Math.Max(0, (int)Math.Ceiling(centre - halfWidth));
            var last = Math.Min(input.Length - 1, (int)Math.Floor(centre + halfWidth));
            double sum = 0;
            for (var k = first; k <= last; k++)
            {
                var x = k - centre;
                sum += input[k] * cutoff * Sinc(cutoff * x) * Blackman(x / halfWidth);
            }

            output[n] = (float)sum;
        }

        return output;
    }

    private static double Sinc(double x) => Math.Abs(x) < 1e-12 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);

    // Blackman window on [-1, 1].
    private static double Blackman(double t) => Math.Abs(t) > 1 ? 0 : 0.42 + 0.5 * Math.Cos(Math.PI * t) + 0.08 * Math.Cos(2 * Math.PI * t);
}
