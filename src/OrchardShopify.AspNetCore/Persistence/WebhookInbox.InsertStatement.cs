using System.Data;
using System.Data.Common;
using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.AspNetCore.Persistence;

internal sealed partial class WebhookInbox
{
    /// <summary>The writer's own connection and prepared insert, kept from batch to batch.</summary>
    private sealed class InsertStatement : IAsyncDisposable
    {
        private readonly IAsyncDisposable _owner;
        private readonly DbParameter _webhookId, _store, _topic, _eventId, _triggeredAt, _apiVersion, _body, _now;

        private InsertStatement(IAsyncDisposable owner, DbCommand command, bool inFile)
        {
            _owner = owner;
            Command = command;
            InFile = inFile;
            command.CommandText = inFile ? FileInsertSql : QueueInsertSql;
            _webhookId = Param(command, "webhook_id", DbType.String);
            _store = Param(command, "store", DbType.String);
            _topic = Param(command, "topic", DbType.String);
            _eventId = Param(command, "event_id", DbType.String);
            _triggeredAt = Param(command, "triggered_at", DbType.Int64);
            _apiVersion = Param(command, "api_version", DbType.String);
            _body = Param(command, "body", DbType.Binary);
            _now = Param(command, "now", DbType.Int64);
        }

        public DbCommand Command { get; }

        /// <summary>True when rows go to the inbox file, false when straight into the work queue.</summary>
        public bool InFile { get; }

        public static async Task<InsertStatement> OpenAsync(SyncDatabase database, InboxFiles? files, ShopifyStorageOptions storage)
        {
            if (files is not null)
            {
                var connection = await SqliteInboxFile.OpenAsync(files.Inbox, syncFile: null, storage).ConfigureAwait(false);
                return new InsertStatement(connection, connection.CreateCommand(), inFile: true);
            }

            var db = await database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                // Opened through EF so the connection gets the same settings (WAL, synchronous, busy timeout) as every other.
                await db.Database.OpenConnectionAsync().ConfigureAwait(false);
                return new InsertStatement(db, db.Database.GetDbConnection().CreateCommand(), inFile: false);
            }
            catch
            {
                await db.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        /// <returns>False when the webhook id is already stored.</returns>
        public async Task<bool> ExecuteAsync(WebhookDelivery delivery, long receivedAt)
        {
            _webhookId.Value = delivery.WebhookId;
            _store.Value = delivery.Store.Handle;
            _topic.Value = delivery.Topic;
            _eventId.Value = (object?)delivery.EventId ?? DBNull.Value;
            _triggeredAt.Value = (object?)UnixTime.From(delivery.TriggeredAt) ?? DBNull.Value;
            _apiVersion.Value = (object?)delivery.ApiVersion ?? DBNull.Value;
            _body.Value = MemoryMarshal.TryGetArray(delivery.Body, out var whole) && whole.Offset == 0 && whole.Count == whole.Array!.Length ? whole.Array : delivery.Body.ToArray();
            _now.Value = receivedAt;
            return await Command.ExecuteNonQueryAsync().ConfigureAwait(false) > 0;
        }

        public async ValueTask DisposeAsync()
        {
            await Command.DisposeAsync().ConfigureAwait(false);
            await _owner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
