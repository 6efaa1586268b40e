/** Windows applications (from inspection's Uninstall keys) as libguestfs lists them. */
import type { Application, WindowsApplication } from '../types.js';
import { application } from './application.js';

/** libguestfs' anti-virus heuristic (get_class_from_windows_app), on the key name, DisplayName and Publisher. */
const ANTIVIRUS = /virus|kaspersky|mcafee|norton|sophos|ApexOneNT|avg technologies/i;

/** One Windows application: the key name as name, DisplayName as display name, InstallLocation, URLInfoAbout and Comments as install path, url and description. */
export function windowsApplication(app: WindowsApplication): Application {
  const antivirus = [app.key, app.name, app.publisher].some((field) => ANTIVIRUS.test(field));
  return application({
    name: app.key, displayName: app.name, version: app.version, installPath: app.installLocation, publisher: app.publisher,
    url: app.url, description: app.comments, class: antivirus ? 'antivirus' : '',
  });
}
