/**
 * Opens the plugin's own settings tab. Obsidian has no public call for this; the settings window the app keeps
 * (`app.setting`) is used when it is there, and otherwise a notice names the way to the tab.
 */
import { Notice, type App } from 'obsidian';

/** The part of the app's settings window used here. */
interface SettingsWindow {
    open(): void;
    openTabById(id: string): unknown;
}

/** Shows the settings tab of the plugin `pluginId`, or says where it is when the app offers no way to open it. */
export function openPluginSettings(app: App, pluginId: string): void {
    const setting = (app as unknown as { setting?: Partial<SettingsWindow> }).setting;
    if (typeof setting?.open === 'function' && typeof setting.openTabById === 'function') {
        setting.open();
        setting.openTabById(pluginId);
        return;
    }
    new Notice("Add the API key in this plugin's tab of the settings.");
}
