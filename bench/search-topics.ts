/**
 * Labelled topics for the retrieval bench: each topic is planted in the generated vault as notes that are about it
 * in different ways (the topic words only in the title, spread over the body in varied forms and a synonym, only in
 * a heading, only in an alias, only in tags, with a typo), next to distractors that share one of its words, and comes
 * with a fixed query. `bench/retrieval-rows.ts` scores `find_notes` and the plain substring search on them.
 */

/** One topic: its query, and its concepts, each as the forms a note may use (base first, a synonym last). */
export interface Topic {
    /** The query, as a person or the model would write it. */
    query: string;
    /** Each concept's wordings: the first is the base form. */
    concepts: string[][];
}

/** How a planted note carries its topic. */
export type TopicNoteKind = 'title' | 'body' | 'heading' | 'alias' | 'tag' | 'typo' | 'distractor';

/** A planted note: where it goes and what it says. */
export interface PlantedNote {
    /** The note's title (its file name without `.md`). */
    title: string;
    /** The whole text. */
    text: string;
    /** How it carries the topic; `distractor` shares a word and is not relevant. */
    kind: TopicNoteKind;
}

/** A query and the notes relevant to it, as the generator records them next to the vault. */
export interface LabelledQuery {
    /** The query. */
    query: string;
    /** Vault paths of the relevant notes. */
    relevant: string[];
}

const RAW = `
what have I written about pricing objections from enterprise customers? | pricing,prices,price / objections,objection,pushback / enterprise,enterprises,corporate
sourdough starter fermentation | sourdough,sourdoughs,levain / starter,starters / fermentation,fermenting,proofing
kubernetes cluster autoscaling | kubernetes,k8s / cluster,clusters / autoscaling,autoscaler,scaling
notes on marathon training and knee pain | marathon,marathons / training,trained,workouts / knee,knees
tax deductions for the office | tax,taxes,taxation / deductions,deduction,deductible / office,offices,workspace
espresso grinder calibration | espresso,espressos / grinder,grinders,burr / calibration,calibrating,dialing
quarterly OKR alignment | quarterly,quarter / okr,okrs,objectives / alignment,aligned,aligning
photosynthesis in succulents | photosynthesis / succulents,succulent,cacti
dependency injection in typescript | dependency,dependencies / injection,injecting,injected / typescript,ts
anything about grant applications for the ceramics studio | grant,grants,funding / applications,application,applying / ceramics,ceramic,pottery
toddler sleep regression | toddler,toddlers / sleep,sleeping,naps / regression,regressions
postgres vacuum tuning | postgres,postgresql / vacuum,vacuuming,autovacuum / tuning,tuned,tune
mortgage refinancing rates | mortgage,mortgages / refinancing,refinance,refi / rates,rate,interest
volunteer recruitment for the pantry | volunteer,volunteers / recruitment,recruiting,recruited / pantry,pantries
jazz chord voicings | jazz / chord,chords / voicings,voicing,inversions
solar panel inverter problems | solar,photovoltaic / panel,panels / inverter,inverters
bird flyways over the wetlands | bird,birds,avian / flyway,flyways / wetlands,wetland,marsh
accessibility audit with screenreaders | accessibility,a11y / audit,audits,auditing / screenreader,screenreaders,voiceover
cheese aging cave | cheese,cheeses,cheddar / aging,aged,ripening / cave,caves,cellar
what did I note about rust borrow checker lifetimes | rust,rustc / borrow,borrowing,borrowed / lifetimes,lifetime
salary negotiation tactics | negotiation,negotiating,negotiate / salary,salaries,compensation / tactics,tactic,strategies
compost bin temperature | compost,composting / bin,bins,heap / temperature,temperatures,heat
stoic philosophy journaling prompts | stoic,stoicism,stoics / philosophy,philosophical / prompts,prompt
vintage camera lens repair | vintage,antique / camera,cameras / lens,lenses,optics
churn prediction by cohort | churn,churned,attrition / prediction,predicting,forecast / cohort,cohorts
wedding seating chart | wedding,weddings,nuptials / seating,seats / chart,charts,arrangement
beekeeping hive inspection | beekeeping,beekeeper,apiary / hive,hives / inspection,inspections,inspecting
hypertension medication dizziness | hypertension,hypertensive / medication,medications,meds / dizziness,dizzy
oauth token refresh | oauth,oauth2 / token,tokens / refresh,refreshing,renewal
watercolor landscape techniques | watercolor,watercolors,watercolour / landscape,landscapes,scenery / techniques,technique
sailing knots for beginners | sailing,sail,sailboat / knots,knot,hitches / beginners,beginner,novice
podcast microphone preamp | podcast,podcasts,podcasting / microphone,microphones,mic / preamp,preamps
show me notes about the landlord, the lease and the deposit | landlord,landlords / lease,leases / deposit,deposits
velocity estimation with fibonacci | velocity,velocities / estimation,estimates,estimating / fibonacci
genealogy ancestors census records | genealogy,genealogical / ancestors,ancestor,ancestry / census,censuses
chess endgame with rooks | chess / endgame,endgames / rook,rooks
mechanical keyboard switches | mechanical / keyboard,keyboards / switches,switch
freestyle swimming breathing | swimming,swim,swimmer / freestyle,crawl / breathing,breath
graphql schema federation | graphql / schema,schemas / federation,federated,supergraph
tomato blight prevention | tomato,tomatoes / blight,fungus / prevention,preventing,prevent
japanese grammar particles | japanese,nihongo / grammar,grammatical / particles,particle
wildfire evacuation checklist | wildfire,wildfires,bushfire / evacuation,evacuate,evacuating / checklist,checklists
carbon footprint of flights | carbon,co2,emissions / footprint,footprints / flights,flight,flying
rock climbing grip strength | climbing,climber,bouldering / grip,grips / strength,strengthening,stronger
freelance hourly retainer | freelance,freelancer,freelancing / hourly / retainer,retainers
telescope eyepiece magnification | telescope,telescopes / eyepiece,eyepieces / magnification,magnify,zoom
protein macros for meals | protein,proteins / macros,macronutrients / meals,meal
drone photography regulations | drone,drones,quadcopter / photography,photographs,aerial / regulations,regulation,rules
spanish subjunctive mood | spanish,español / subjunctive / mood,moods
origami crane folding | origami / crane,cranes / folding,folds,folded
log rotation and retention | logs,log,logging / rotation,rotating,rotate / retention
mindfulness meditation retreat | mindfulness,mindful / meditation,meditating,meditate / retreat,retreats
`;

/** The fixed topics, in order. */
export const TOPICS: readonly Topic[] = RAW.trim()
    .split('\n')
    .map((line) => {
        const [query = '', concepts = ''] = line.split(' | ');
        return { query: query.trim(), concepts: concepts.split(' / ').map((forms) => forms.trim().split(',')) };
    });

/** The notes planted for `topic`: six relevant ones, then two distractors. `filler(n)` gives n words of filler. */
export function plantTopic(topic: Topic, index: number, filler: (words: number) => string): PlantedNote[] {
    const { concepts } = topic;
    const base = concepts.map((forms) => forms[0] ?? '');
    const variant = (which: number): string[] =>
        concepts.map((forms) => forms[Math.min(which, forms.length - 1)] ?? '');
    const plainTitle = (kind: string): string => `${capitalise(filler(2))} ${kind} ${index}`;
    const paragraph = (words: string): string => `${capitalise(filler(12))} ${words} ${filler(10)}.`;
    const notes: PlantedNote[] = [];

    // The topic only in the title.
    const title = `${capitalise(base.join(' '))} ${index}`;
    notes.push({ title, kind: 'title', text: `${paragraph(filler(4))}\n\n${paragraph(filler(6))}\n` });

    // Spread over the body: one concept per paragraph, in other forms, the last concept by its synonym.
    const spread = concepts.map((forms, i) => (i === concepts.length - 1 ? forms.at(-1) : forms[1]) ?? '');
    notes.push({
        title: plainTitle('body'),
        kind: 'body',
        text: spread.map((word) => paragraph(word)).join('\n\n') + '\n',
    });

    // Only in a heading.
    notes.push({
        title: plainTitle('heading'),
        kind: 'heading',
        text: `${paragraph(filler(5))}\n\n## ${capitalise(variant(1).join(' '))}\n\n${paragraph(filler(5))}\n`,
    });

    // Only in an alias.
    notes.push({
        title: plainTitle('alias'),
        kind: 'alias',
        text: `---\naliases: [${capitalise(base.join(' '))}]\n---\n${paragraph(filler(6))}\n`,
    });

    // Only in tags: the first two concepts as one nested tag, the rest on their own.
    const [first = '', second, ...rest] = base.map((word) => word.replace(/[^\p{L}\p{N}]/gu, ''));
    const tags = [second === undefined ? first : `${first}/${second}`, ...rest];
    notes.push({
        title: plainTitle('tag'),
        kind: 'tag',
        text: `---\ntags: [${tags.join(', ')}]\n---\n${paragraph(filler(6))}\n`,
    });

    // In the body with a typo in its longest word.
    const longest = base.reduce((a, b) => (b.length > a.length ? b : a), '');
    const typed = base.map((word) => (word === longest && word.length >= 6 ? typo(word) : word));
    notes.push({ title: plainTitle('typo'), kind: 'typo', text: `${paragraph(typed.join(' and '))}\n` });

    // Distractors: one concept of the topic, said often, and nothing else of it.
    for (const [n, word] of [base[0], base[base.length - 1]].entries()) {
        if (word === undefined) continue;
        notes.push({
            title: `${capitalise(word)} ${filler(1)} distractor ${index}-${n}`,
            kind: 'distractor',
            text: `${paragraph(word)}\n\n${paragraph(`${word} ${word}`)}\n`,
        });
    }
    return notes;
}

/** `word` with two letters in the middle swapped ("fermentation" → "fermnetation"). */
function typo(word: string): string {
    const at = Math.floor(word.length / 2);
    return word.slice(0, at) + (word[at + 1] ?? '') + (word[at] ?? '') + word.slice(at + 2);
}

function capitalise(text: string): string {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
