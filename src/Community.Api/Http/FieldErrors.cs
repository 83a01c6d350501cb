using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Community.Api.Http;

/// <summary>Collects per-field validation messages so a request reports every problem at once.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new();
    private string _code = ErrorCodes.ValidationFailed;
    private string? _detail;

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    /// <summary>
    /// Adds an error that has a code of its own (<c>invalid_cursor</c>): the problem carries that code and detail, since
    /// they tell the client more (start again from page 1) than <c>validation_failed</c> does; <c>errors</c> still lists
    /// every field.
    /// </summary>
    public FieldErrors Add(string field, string message, string code, string detail)
    {
        (_code, _detail) = (code, detail);
        return Add(field, message);
    }

    public ProblemHttpResult ToProblem() => Problems.Validation(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()), _detail, _code);

    /// <summary>True, with the problem to return, when anything was added.</summary>
    public bool HasProblem([NotNullWhen(true)] out ProblemHttpResult? problem)
    {
        problem = Any ? ToProblem() : null;
        return problem is not null;
    }

    /// <summary>
    /// Checks free text: trimmed, <paramref name="min"/>–<paramref name="max"/> characters, no control characters.
    /// Returns the trimmed value (null stays null when <paramref name="required"/> is false).
    /// </summary>
    public string? Text(string field, string? value, int max, bool required = false, int min = 1, bool allowNewlines = false)
    {
        if (value is null)
        {
            if (required) Add(field, "Is required.");
            return null;
        }
        var trimmed = value.Trim();
        if (trimmed.Length < min) Add(field, min == 1 ? "Must not be empty." : $"Must be at least {min} characters.");
        else if (trimmed.Length > max) Add(field, $"Must be at most {max} characters.");
        if (trimmed.Any(c => char.IsControl(c) && !(allowNewlines && c is '\n' or '\r' or '\t')))
            Add(field, "Must not contain control characters.");
        return trimmed;
    }

    /// <summary>
    /// Checks a name (community name, display name, username, platform username) as <see cref="Text"/> does, and also
    /// refuses the bidirectional embedding, override and isolate controls (U+202A–202E, U+2066–2069): in a name they
    /// serve only to make it display as something else ("Trojan Source" spoofing). Free text (descriptions, reasons,
    /// messages) keeps them, since mixed-direction paragraphs legitimately use them.
    /// </summary>
    public string? Name(string field, string? value, int max, bool required = false)
    {
        var trimmed = Text(field, value, max, required);
        if (trimmed is not null && trimmed.Any(IsBidiControl)) Add(field, "Must not contain bidirectional control characters (U+202A–202E, U+2066–2069).");
        return trimmed;
    }

    private static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    /// <summary>
    /// Checks an optional absolute http(s) URL. Control characters are refused first: <see cref="Uri"/> ignores a
    /// trailing NUL, which PostgreSQL then refuses to store.
    /// </summary>
    public string? Url(string field, string? value, int max = 2048)
    {
        if (value is null) return null;
        var trimmed = value.Trim();
        if (trimmed.Length == 0) return null;
        if (trimmed.Length > max) Add(field, $"Must be at most {max} characters.");
        else if (trimmed.Any(char.IsControl)) Add(field, "Must not contain control characters.");
        else if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            Add(field, "Must be an absolute http or https URL.");
        return trimmed;
    }

    public void OneOf(string field, string? value, IReadOnlyCollection<string> allowed)
    {
        if (value is not null && !allowed.Contains(value))
            Add(field, $"Must be one of: {string.Join(", ", allowed)}.");
    }
}
