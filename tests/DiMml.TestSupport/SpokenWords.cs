using System.Diagnostics;
using System.Globalization;

namespace DiMml.TestSupport;

/// <summary>Real speech from Debian's espeak-ng (<c>apt-get install espeak-ng</c>): words spoken in a range of English voices,
/// for the audio examples and benchmarks.</summary>
public static class SpokenWords
{
    /// <summary>espeak-ng's English voices used for variety.</summary>
    public static IReadOnlyList<string> Voices { get; } = ["en", "en-us", "en-gb-x-rp", "en-029", "en-gb-scotland"];

    /// <summary>Voice variants (male, female, formant synthesiser) appended to a voice.</summary>
    public static IReadOnlyList<string> Variants { get; } = ["", "+m3", "+f2", "+f4", "+klatt"];

    /// <summary>A random voice with a random variant.</summary>
    public static string RandomVoice(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Voices[random.Next(Voices.Count)] + Variants[random.Next(Variants.Count)];
    }

    /// <summary>Writes <paramref name="text"/> spoken by <paramref name="voice"/> as a WAV file.</summary>
    /// <param name="path">The WAV file to write.</param>
    /// <param name="text">What to say.</param>
    /// <param name="voice">An espeak-ng voice, e.g. <c>en-us+f2</c>.</param>
    /// <param name="wordsPerMinute">Speed.</param>
    /// <param name="pitch">Pitch, 0-99.</param>
    public static void Speak(string path, string text, string voice, int wordsPerMinute, int pitch)
    {
        var start = new ProcessStartInfo("espeak-ng") { RedirectStandardError = true };
        foreach (var argument in new[] { "-v", voice, "-s", wordsPerMinute.ToString(CultureInfo.InvariantCulture), "-p",
            pitch.ToString(CultureInfo.InvariantCulture), "-w", path, text })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"espeak-ng failed for '{text}' ({voice}): {error}");
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("Speech needs espeak-ng: apt-get install espeak-ng.");
        }
    }
}
