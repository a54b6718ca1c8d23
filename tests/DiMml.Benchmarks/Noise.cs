namespace DiMml.Benchmarks;

/// <summary>White noise for the suite's audio tasks.</summary>
internal static class Noise
{
    /// <summary>The samples plus Gaussian noise at the given signal-to-noise ratio (dB, against the clip's RMS).</summary>
    public static float[] Add(float[] samples, double snrDecibels, Random random)
    {
        var rms = Math.Sqrt(samples.Average(s => (double)s * s));
        var deviation = rms * Math.Pow(10, -snrDecibels / 20);
        return samples.Select(s => (float)(s + deviation * FusionTasks.Gaussian(random))).ToArray();
    }
}
