using System.Net;
using System.Text.Json;
using Community.Api.Invites;
using Community.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Community.Api.Tests.Invites;

/// <summary>Creating, previewing and accepting invites as clients do.</summary>
public static class InviteSeed
{
    /// <summary>Creates an invite as <paramref name="client"/>; returns the invite JSON.</summary>
    public static async Task<JsonElement> Invite(this HttpClient client, long communityId, object? body = null) =>
        await client.Post($"/api/v1/communities/{communityId}/invites", body ?? new { }).Data(HttpStatusCode.Created);

    /// <summary>Creates an invite with the all-scopes service key; returns its code.</summary>
    public static async Task<string> InviteCode(this TestApp app, long communityId, object? body = null) =>
        (await app.Service().Invite(communityId, body)).Str("code");

    public static Task<HttpResponseMessage> PreviewInvite(this TestApp app, long hubUserId, string code) =>
        app.User(hubUserId).GetAsync($"/api/v1/invites/{Uri.EscapeDataString(code)}");

    public static Task<HttpResponseMessage> AcceptInvite(this TestApp app, long hubUserId, string code) =>
        app.User(hubUserId).PostAsync($"/api/v1/invites/{Uri.EscapeDataString(code)}/accept", null);

    /// <summary>The invite row as stored.</summary>
    public static Task<Invite> StoredInvite(this TestApp app, string code) =>
        app.Db(db => db.Invites.AsNoTracking().SingleAsync(i => i.Code == code));
}
