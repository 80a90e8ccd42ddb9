/**
 * The agent session behind one chat: built with the session factory (the same one jobs and the CLI use) for the mode
 * and model a turn runs in, and built again, from the chat's model history, when a turn asks for others (a custom
 * command's mode or model, or the person's change). It tells the chat what context each turn was sent with, so the
 * chat can note which instructions guided the answer.
 */
import type { AgentSession } from '../agent/agent-session';
import type { TurnEvent } from '../agent/loop/turn-events';
import { createAgentSession, type SessionServices } from '../agent/session-factory';
import type { ContextBundle, ContextItem } from '../context/bundle';
import type { ContextProvider } from '../context/build-context';
import type { ChatRecord } from './transcript';

/** The mode and model one turn runs with. */
export interface TurnSettings {
    mode: string;
    model: string;
}

/** Holds the chat's session while its mode and model stay the same. */
export class ChatSession {
    private session: AgentSession | null = null;
    private unsubscribe: (() => void) | null = null;
    /** The mode and model the current session was built with. */
    private key = '';
    /** What the context builder sent with the latest turn's requests. */
    private items: readonly ContextItem[] = [];

    /** The session now, if one is built. */
    get current(): AgentSession | null {
        return this.session;
    }

    /** The context items of the latest turn sent (none before its context is built). */
    get turnItems(): readonly ContextItem[] {
        return this.items;
    }

    /** Forgets the context items of the previous turn, before a turn is sent. */
    newTurn(): void {
        this.items = [];
    }

    /**
     * The session for a turn in `settings`: the current one, or one built from `services` that continues `record`'s
     * model history (a resumed chat, or one whose mode or model changed). `onEvent` hears every event of the session.
     */
    async ensure(
        settings: TurnSettings,
        record: ChatRecord,
        services: () => Promise<SessionServices>,
        onEvent: (event: TurnEvent) => void,
    ): Promise<AgentSession> {
        const key = `${settings.mode}\n${settings.model}`;
        if (this.session !== null && this.key === key) return this.session;
        this.drop();
        const built = await services();
        const { session } = await createAgentSession({
            services: {
                ...built,
                // Each bundle the builder makes is seen here: the guidance line reads which instructions went out.
                contextProvider:
                    built.contextProvider === undefined
                        ? undefined
                        : recording(built.contextProvider, (bundle) => (this.items = bundle.items)),
            },
            kind: 'chat',
            mode: settings.mode,
            model: settings.model,
            chatId: record.id,
        });
        for (const message of record.history) {
            const blocks = structuredClone(message.content);
            if (message.role === 'user') session.conversation.addUser(blocks);
            else session.conversation.addAssistant(blocks);
        }
        this.unsubscribe = session.subscribe(onEvent);
        this.session = session;
        this.key = key;
        return session;
    }

    /** Lets the session go: the next turn builds a new one. */
    drop(): void {
        this.unsubscribe?.();
        this.unsubscribe = null;
        this.session = null;
        this.key = '';
    }
}

/** The provider, telling `seen` each bundle it builds. */
function recording(provider: ContextProvider, seen: (bundle: ContextBundle) => void): ContextProvider {
    return {
        build: async (request) => {
            const bundle = await provider.build(request);
            seen(bundle);
            return bundle;
        },
    };
}
